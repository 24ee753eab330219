using System.Net;
using System.Net.Sockets;
using Resolver.Core.Records;
using Resolver.Handle;

namespace Resolver.Server.Tests.Handle;

/// <summary>
/// The Handle client against a server that behaves as CNRI's Handle.Net 9 does over TCP (benchmarks/cnri/FINDINGS.md):
/// one answer per connection, then the connection is closed, whatever else was sent on it. CI cannot run CNRI's server,
/// so this stand-in replays that one behaviour; the by-hand run against the real server is in docs/handle-protocol.md.
/// </summary>
public sealed class HandleClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ServerThatClosesAfterEachAnswer_EveryPipelinedRequestIsStillAnswered()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = OneAnswerPerConnectionAsync(listener);
        await using var client = new HandleClient("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, TimeProvider.System, TimeSpan.FromSeconds(1));

        var handles = Enumerable.Range(1, 8).Select(i => $"88.300/B-{i}").ToArray();
        var answers = await Task.WhenAll(handles.Select(handle => client.ResolveAsync(new ResolutionRequest(handle, [], []), OpFlags.None, HandleTransport.Tcp, Ct)));
        var later = await client.ResolveAsync(new ResolutionRequest("88.300/B-9", [], []), OpFlags.None, HandleTransport.Tcp, Ct);

        Assert.Equal(handles, answers.Select(a => a.Handle));
        Assert.All(answers, a => Assert.Equal(ResponseCode.Success, a.Code));
        Assert.Equal("88.300/B-9", later.Handle);
        listener.Stop();
        await serving;
    }

    private static async Task OneAnswerPerConnectionAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient connection;
            try
            {
                connection = await listener.AcceptTcpClientAsync(Ct);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            using (connection)
            {
                var stream = connection.GetStream();
                var envelopeBytes = new byte[HandleProtocol.EnvelopeSize];
                await stream.ReadExactlyAsync(envelopeBytes, Ct);
                var envelope = MessageEnvelope.Read(envelopeBytes);
                var message = new byte[envelope.MessageLength];
                await stream.ReadExactlyAsync(message, Ct);
                var request = HandleMessage.Read(envelope, message);
                var asked = ResolutionRequest.Read(request.Body.Span);
                using var answer = new MessageBuffer();
                ResponseWriter.Resolution(answer, Answering.Message(request), DateTimeOffset.UtcNow, asked.Handle,
                    [new HandleValue(1, "URL", ValueData.FromText("https://example.com/" + asked.Handle), 60, DateTimeOffset.UtcNow, ValuePermissions.Default, [])]);
                await stream.WriteAsync(answer.WrittenMemory, Ct);
            } // closed, with whatever else the client sent unanswered
        }
    }
}
