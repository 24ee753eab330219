using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Resolver.Handle;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests.Handle;

/// <summary>
/// Exchanges captured between real Handle software on this machine (Fixtures/README.md: CNRI's Handle.Net 9.0 server,
/// its HandleResolver and hdl-qresolver, and Teleinfo's id-pointer-sdk): what CNRI's server answered is read by this
/// project's client, and what the real clients sent is answered by a Resolver node, so both directions are checked
/// against bytes no code of ours wrote.
/// </summary>
public sealed class HandleFixtureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string Directory = Path.Combine(Repository.Root(), "tests", "Resolver.Server.Tests", "Handle", "Fixtures");

    private static byte[] Fixture(string name) => Convert.FromHexString(string.Concat(File.ReadAllText(Path.Combine(Directory, name + ".hex")).Where(Uri.IsHexDigit)));

    // A message from its datagrams (name-part01, -part02, …) or from one file.
    private static (MessageEnvelope Envelope, byte[] Message) Message(string name)
    {
        var parts = System.IO.Directory.GetFiles(Directory, name + "-part*.hex").Order(StringComparer.Ordinal).Select(f => Fixture(Path.GetFileNameWithoutExtension(f))).ToArray();
        if (parts.Length == 0)
        {
            var whole = Fixture(name);
            return (MessageEnvelope.Read(whole), whole[HandleProtocol.EnvelopeSize..]);
        }

        Assert.True(parts.Length > 1, $"{name}: pieces of one message");
        var assembly = new DatagramAssembly(MessageEnvelope.Read(parts[0]));
        Assert.All(parts, part => assembly.Add(MessageEnvelope.Read(part), part.AsSpan(HandleProtocol.EnvelopeSize)));
        return (assembly.Envelope, assembly.Message.ToArray());
    }

    private static HandleResponse Response(string name)
    {
        var (envelope, message) = Message(name);
        return HandleResponse.Read(HandleMessage.Read(envelope, message), DateTimeOffset.UtcNow);
    }

    [Fact]
    public void CnriAnswers_ReadAsCnriMeantThem()
    {
        var resolved = Response("cnri-resolve-tcp-response");
        var typed = Response("cnri-resolve-type-filter-response");
        var many = Response("cnri-resolve-many-udp-response");
        var manyTcp = Response("cnri-resolve-many-tcp-response");
        var site = Response("cnri-siteinfo-response");

        Assert.Equal((ResponseCode.Success, "88.300/B-000001"), (resolved.Code, resolved.Handle));
        Assert.Contains(resolved.Values, v => v.Type == "URL");
        Assert.All(typed.Values, v => Assert.StartsWith("URL", v.Type, StringComparison.OrdinalIgnoreCase));
        Assert.True(many.Values.Count > 10);
        Assert.Equal(manyTcp.Values.Select(v => (v.Index, v.Type, v.Data)), many.Values.Select(v => (v.Index, v.Type, v.Data))); // the ten datagrams reassembled
        Assert.Equal(ResponseCode.HandleNotFound, Response("cnri-not-found-response").Code);
        Assert.Equal(ResponseCode.ValuesNotFound, Response("cnri-values-not-found-response").Code);
        Assert.Equal(ResponseCode.ServerNotResponsible, Response("cnri-not-responsible-rec-response").Code);
        Assert.NotEmpty(site.Site!.Servers);
        Assert.Contains(site.Site.Servers[0].Interfaces, i => i.Protocol == InterfaceProtocol.Tcp);
    }

    [Fact]
    public void CnriRequestDigest_IsWhatThisProjectComputes()
    {
        var (requestEnvelope, request) = Message("cnri-resolve-digest-request");
        var asked = HandleMessage.Read(requestEnvelope, request);
        var answer = Response("cnri-resolve-digest-response");
        using var ours = new MessageBuffer();
        ResponseWriter.Resolution(ours, Answering.Message(asked), DateTimeOffset.UtcNow, answer.Handle!, answer.Values);
        var written = HandleResponse.Read(HandleMessage.Read(MessageEnvelope.Read(ours.WrittenSpan), ours.WrittenMemory[HandleProtocol.EnvelopeSize..]), DateTimeOffset.UtcNow);

        Assert.True(asked.Header.Flags.HasFlag(OpFlags.ReturnRequestDigest));
        Assert.Equal([3, .. SHA256.HashData(asked.HeaderAndBody.Span)], answer.RequestDigest!); // CNRI: SHA-256 for 2.7+
        Assert.Equal(answer.RequestDigest, written.RequestDigest);
    }

    [Theory]
    [InlineData("cnri-resolve-tcp-request", ResponseCode.Success)]
    [InlineData("cnri-resolve-udp-request", ResponseCode.Success)]
    [InlineData("cnri-resolve-type-filter-request", ResponseCode.Success)]
    [InlineData("cnri-resolve-index-filter-request", ResponseCode.Success)]
    [InlineData("cnri-resolve-type-and-index-request", ResponseCode.Success)]
    [InlineData("cnri-resolve-lower-case-request", ResponseCode.Success)]
    [InlineData("cnri-resolve-digest-request", ResponseCode.Success)]
    [InlineData("cnri-resolve-direct-v2.3-request", ResponseCode.Success)]
    [InlineData("cnri-not-found-request", ResponseCode.HandleNotFound)]
    [InlineData("cnri-values-not-found-request", ResponseCode.ValuesNotFound)]
    [InlineData("cnri-qresolver-prefix-request", ResponseCode.Success)]
    [InlineData("cnri-qresolver-handle-request", ResponseCode.Success)]
    [InlineData("cnri-siteinfo-request", ResponseCode.Success)]
    [InlineData("idpointer-resolve-request", ResponseCode.Success)]
    [InlineData("idpointer-resolve-auth-string-request", ResponseCode.Success)]
    [InlineData("idpointer-resolve-type-and-index-request", ResponseCode.Success)]
    [InlineData("idpointer-prefix-site-request", ResponseCode.Success)]
    [InlineData("idpointer-flow-handle-request", ResponseCode.Success)]
    public async Task RealClientsRequests_AreAnswered_OverTcpAndUdp(string fixture, int expected)
    {
        await using var server = await TestServer.StartAsync();
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.300" }, cancellationToken: Ct);
        foreach (var suffix in (string[])["B-000001", "B-000002", "B-000042"])
        {
            var create = new CreateRecordRequest { Identifier = $"88.300/{suffix}" };
            create.Values.Add(new Value { Index = 1, Type = "URL", Data = new ValueData { Text = $"https://example.com/{suffix}" } });
            create.Values.Add(new Value { Index = 2, Type = "EMAIL", Data = new ValueData { Text = $"{suffix}@example.com" } });
            create.Values.Add(new Value { Index = 3, Type = "DESC", Data = new ValueData { Text = "part" } });
            await server.Registry.CreateRecordAsync(create, cancellationToken: Ct);
        }

        var request = Fixture(fixture);
        var sent = MessageEnvelope.Read(request);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.HandlePort, Ct);
        var stream = tcp.GetStream();
        await stream.WriteAsync(request, Ct);
        var overTcp = await ReadAsync(stream);

        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Connect(IPAddress.Loopback, server.HandlePort);
        await udp.SendAsync(request, Ct);
        var datagram = new byte[512];
        var length = await udp.ReceiveAsync(datagram, Ct);
        var overUdp = HandleResponse.Read(HandleMessage.Read(MessageEnvelope.Read(datagram), datagram.AsMemory(HandleProtocol.EnvelopeSize, length - HandleProtocol.EnvelopeSize)), DateTimeOffset.UtcNow);

        Assert.Equal(expected, overTcp.Code);
        Assert.Equal(expected, overUdp.Code);
        Assert.Equal(sent.RequestId, overTcp.Envelope.RequestId);
        Assert.Equal(sent.RequestId, overUdp.Envelope.RequestId);
    }

    private static async Task<HandleResponse> ReadAsync(NetworkStream stream)
    {
        var envelopeBytes = new byte[HandleProtocol.EnvelopeSize];
        await stream.ReadExactlyAsync(envelopeBytes, Ct);
        var envelope = MessageEnvelope.Read(envelopeBytes);
        var message = new byte[envelope.MessageLength];
        await stream.ReadExactlyAsync(message, Ct);
        return HandleResponse.Read(HandleMessage.Read(envelope, message), DateTimeOffset.UtcNow);
    }
}
