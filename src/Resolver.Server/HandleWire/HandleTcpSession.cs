using System.Net;
using System.Net.Sockets;
using Resolver.Handle;

namespace Resolver.Server.HandleWire;

/// <summary>
/// One TCP connection of the Handle listener (RFC 3652 §2.2): message after message, each an envelope and at most
/// 256 KiB, answered in any order as each is ready (clients match answers by request id), several in flight at once.
/// The connection stays open across requests, as the national SDKs expect (they keep one and reuse it), until the
/// client closes it, it stays idle past <c>--handle-idle-seconds</c>, it sends something that is not a message, or the
/// node stops (then requests in flight are answered first).
/// </summary>
internal sealed class HandleTcpSession(TcpClient client, HandleService service, TimeSpan idleTimeout, TimeProvider time) : IDisposable
{
    /// <summary>Requests of one connection answered at once; the next is read once one is done (backpressure, not refusal).</summary>
    public const int MaxInFlight = 32;

    /// <summary>
    /// How long a message may take to arrive once its envelope has, and an answer to be taken by the client: a client
    /// that trickles a body or stops reading loses the connection instead of holding the node's buffers.
    /// </summary>
    public static readonly TimeSpan TransferTimeout = TimeSpan.FromSeconds(30);

    // The body is read in pieces of this size, so memory grows with the bytes that arrive, not with the length claimed.
    private const int ReadPiece = 16 * 1024;

    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight, MaxInFlight);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var connection = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        var peer = (client.Client.RemoteEndPoint as IPEndPoint)?.Address;
        using var connectionGone = new CancellationTokenSource(); // not the node's stop: requests in flight are answered on a drain
        var envelopeBytes = new byte[HandleProtocol.EnvelopeSize];
        try
        {
            while (true)
            {
                using var idle = new CancellationTokenSource(idleTimeout, time);
                using var idleOrStopping = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, stoppingToken);
                await stream.ReadExactlyAsync(envelopeBytes, idleOrStopping.Token).ConfigureAwait(false);
                MessageEnvelope envelope;
                try
                {
                    envelope = MessageEnvelope.Read(envelopeBytes);
                }
                catch (HandleProtocolException problem)
                {
                    await AnswerUnreadableAsync(stream, envelopeBytes, problem).ConfigureAwait(false);
                    break; // the stream has lost step: nothing after this can be read
                }

                var message = await ReadMessageAsync(stream, envelope.MessageLength, stoppingToken).ConfigureAwait(false);
                await _inFlight.WaitAsync(stoppingToken).ConfigureAwait(false);
                _ = AnswerAsync(stream, envelope, message, peer, connectionGone.Token);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or EndOfStreamException or ObjectDisposedException)
        {
            await connectionGone.CancelAsync().ConfigureAwait(false); // the client closed or went away: its requests in flight need no answer
        }
        catch (OperationCanceledException)
        {
            // Idle past the timeout, or the node stops: no more requests are read.
        }

        // Answer what was asked before closing (bounded by the unary call limit, and by the drain on stop).
        for (var i = 0; i < MaxInFlight; i++)
        {
            await _inFlight.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    // The message after its envelope, read as it arrives within TransferTimeout.
    private async Task<byte[]> ReadMessageAsync(NetworkStream stream, int length, CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(TransferTimeout, time);
        using var transfer = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stoppingToken);
        if (length <= ReadPiece)
        {
            var small = new byte[length];
            await stream.ReadExactlyAsync(small, transfer.Token).ConfigureAwait(false);
            return small;
        }

        var received = new System.Buffers.ArrayBufferWriter<byte>(ReadPiece);
        while (received.WrittenCount < length)
        {
            var piece = received.GetMemory(ReadPiece)[..Math.Min(ReadPiece, length - received.WrittenCount)];
            var read = await stream.ReadAsync(piece, transfer.Token).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }

            received.Advance(read);
        }

        return received.WrittenSpan.ToArray();
    }

    public void Dispose()
    {
        _writing.Dispose();
        _inFlight.Dispose();
    }

    private async Task AnswerAsync(NetworkStream stream, MessageEnvelope envelope, byte[] message, IPAddress? peer, CancellationToken cancellationToken)
    {
        try
        {
            using var output = new MessageBuffer();
            try
            {
                var request = HandleMessage.Read(envelope, message);
                if (request.Header.ResponseCode != ResponseCode.Request)
                {
                    throw new HandleProtocolException("a response where a request was expected");
                }

                await service.AnswerAsync(request, HandleListener.TcpWire, peer, output, HandleProtocol.MaxMessageLength + HandleProtocol.EnvelopeSize, cancellationToken).ConfigureAwait(false);
            }
            catch (HandleProtocolException problem)
            {
                service.AnswerUnreadable(Answering.EnvelopeOnly(envelope), problem, output);
            }

            await WriteAsync(stream, output.WrittenMemory).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is gone: nobody to answer.
        }
        finally
        {
            _inFlight.Release();
        }
    }

    private async Task AnswerUnreadableAsync(NetworkStream stream, byte[] envelopeBytes, HandleProtocolException problem)
    {
        // The envelope's own fields are still the best guess of who asked (request id at bytes 8–11).
        var envelope = new MessageEnvelope(envelopeBytes[0], envelopeBytes[1], EnvelopeFlags.None, envelopeBytes[0], envelopeBytes[1],
            0, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(envelopeBytes.AsSpan(8)), 0, 0);
        using var output = new MessageBuffer(256);
        service.AnswerUnreadable(Answering.EnvelopeOnly(envelope), problem, output);
        await WriteAsync(stream, output.WrittenMemory).ConfigureAwait(false);
    }

    private async Task WriteAsync(NetworkStream stream, ReadOnlyMemory<byte> answer)
    {
        using var transfer = new CancellationTokenSource(TransferTimeout, time);
        await _writing.WaitAsync(transfer.Token).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(answer, transfer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            client.Close(); // the client stopped reading: the connection goes, with what it held
            throw;
        }
        finally
        {
            _writing.Release();
        }
    }
}
