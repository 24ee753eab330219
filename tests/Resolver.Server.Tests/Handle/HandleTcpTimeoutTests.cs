using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Resolver.Handle;
using Resolver.Server.HandleWire;
using Resolver.Testing;

namespace Resolver.Server.Tests.Handle;

/// <summary>
/// The Handle TCP listener's two timeouts (docs/handle-protocol.md), on the node's clock made fake: a connection that asks
/// nothing for <c>--handle-idle-seconds</c> is closed, and a client that sends an envelope and then trickles its message
/// loses the connection after <see cref="HandleTcpSession.TransferTimeout"/> instead of holding the node's buffers.
/// </summary>
public sealed class HandleTcpTimeoutTests
{
    private const int IdleSeconds = 600;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Connection_WithoutARequestForTheIdleTimeout_IsClosed_ButAskingBeforeItKeepsItOpen()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(services => services.AddSingleton<TimeProvider>(clock), "--handle-idle-seconds", $"{IdleSeconds}");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.HandlePort, Ct);
        var stream = tcp.GetStream();

        clock.Advance(TimeSpan.FromSeconds(IdleSeconds - 1));
        await stream.WriteAsync(HandleCodecTests.IdPointerRequest(requestId: 7), Ct);
        var answer = await HandleProtocolTests.ReadAnswerAsync(stream).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var closed = stream.ReadAsync(new byte[1], Ct).AsTask();

        // The session arms its idle timer when it waits for the next request, maybe after this thread advances: advance
        // again until the connection closes (each step a whole idle timeout), within a deadline of real time.
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(TimeSpan.FromSeconds(IdleSeconds));
            return closed.IsCompleted;
        }, TimeSpan.FromSeconds(10), "the connection stayed open past the idle timeout");

        Assert.Equal(7, answer.Envelope.RequestId);
        Assert.Equal(0, await closed);
    }

    [Fact]
    public async Task Message_TrickledPastTheTransferTimeout_LosesItsConnection()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // The longest idle timeout, so that only the transfer timeout can close the connection within the deadline below.
        await using var server = await TestServer.StartAsync(services => services.AddSingleton<TimeProvider>(clock), "--handle-idle-seconds", "86400");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.HandlePort, Ct);
        var stream = tcp.GetStream();
        var envelope = new byte[HandleProtocol.EnvelopeSize];
        new MessageEnvelope(2, 11, 0, 2, 11, 0, 9, 0, 1000).Write(envelope);

        await stream.WriteAsync(envelope, Ct);
        await stream.WriteAsync(new byte[10], Ct); // 10 of the 1000 bytes the envelope announced, and no more
        var closed = stream.ReadAsync(new byte[1], Ct).AsTask();
        await Eventually.TrueAsync(() =>
        {
            clock.Advance(HandleTcpSession.TransferTimeout);
            return closed.IsCompleted;
        }, TimeSpan.FromSeconds(10), "a connection whose message stopped arriving stayed open past the transfer timeout");

        Assert.Equal(0, await closed);
    }
}
