using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Resolver.Handle;

/// <summary>
/// One persistent TCP connection to a Handle server carrying many requests, several in flight at once: each request
/// has its own request id and the answers are matched to them as they arrive, in any order (RFC 3652 §2.2.1 RequestId).
/// When the connection fails, every request waiting on it fails with <see cref="IOException"/>; it is then
/// <see cref="IsBroken"/> and a pool replaces it.
/// </summary>
public sealed class HandleConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly SemaphoreSlim _inFlight;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<HandleResponse>> _waiting = new();
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _reading;
    private int _disposed;
    private int _answered;
    private int _nextRequestId = Random.Shared.Next(1, int.MaxValue / 2);

    private HandleConnection(TcpClient client, int maxInFlight, TimeProvider time)
    {
        _client = client;
        _stream = client.GetStream();
        _inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        _time = time;
        _reading = ReadAsync();
    }

    /// <summary>True once the connection failed or was closed: it takes no more requests.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>Requests answered on this connection so far.</summary>
    public int Answered => _answered;

    /// <summary>Requests sent and not yet answered.</summary>
    public int Pending => _waiting.Count;

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <param name="host">A host name or address.</param>
    /// <param name="port">The server's TCP port.</param>
    /// <param name="maxInFlight">How many requests may wait for answers at once; more wait to be sent.</param>
    /// <param name="time">The clock expirations are written with.</param>
    /// <param name="cancellationToken">Ends the attempt.</param>
    /// <exception cref="SocketException">The server could not be reached.</exception>
    public static async Task<HandleConnection> ConnectAsync(string host, int port, int maxInFlight, TimeProvider time, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new HandleConnection(client, maxInFlight, time);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Sends a request written by <paramref name="write"/> (given a buffer and the request id to use) and waits for its answer.</summary>
    /// <exception cref="IOException">The connection failed before the answer came.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> ended the wait; the connection stays usable.</exception>
    public async Task<HandleResponse> SendAsync(Action<MessageBuffer, int> write, CancellationToken cancellationToken)
    {
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        var requestId = Interlocked.Increment(ref _nextRequestId) & int.MaxValue;
        var answer = new TaskCompletionSource<HandleResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[requestId] = answer;
        try
        {
            if (IsBroken)
            {
                throw new IOException("the connection to the Handle server is closed");
            }

            using (var buffer = new MessageBuffer())
            {
                write(buffer, requestId);
                await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await _stream.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
                {
                    Break();
                    throw new IOException("the connection to the Handle server failed", exception);
                }
                catch (OperationCanceledException)
                {
                    Break(); // cancelled mid-message: what was written of it puts the stream out of step
                    _client.Close();
                    throw;
                }
                finally
                {
                    _writing.Release();
                }
            }

            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _waiting.TryRemove(requestId, out _);
            _inFlight.Release();
        }
    }

    private async Task ReadAsync()
    {
        var envelopeBytes = new byte[HandleProtocol.EnvelopeSize];
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                await _stream.ReadExactlyAsync(envelopeBytes, _closing.Token).ConfigureAwait(false);
                var envelope = MessageEnvelope.Read(envelopeBytes);
                var message = new byte[envelope.MessageLength];
                await _stream.ReadExactlyAsync(message, _closing.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _answered);
                if (_waiting.TryGetValue(envelope.RequestId, out var answer))
                {
                    try
                    {
                        answer.TrySetResult(HandleResponse.Read(HandleMessage.Read(envelope, message), _time.GetUtcNow()));
                    }
                    catch (HandleProtocolException exception)
                    {
                        answer.TrySetException(exception); // this answer is unreadable; the stream is still in step
                    }
                }
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException or EndOfStreamException or HandleProtocolException)
        {
            // The stream ended, failed or lost step: nothing more can be read on it.
        }
        finally
        {
            Break();
        }
    }

    private void Break()
    {
        IsBroken = true;
        foreach (var (_, answer) in _waiting)
        {
            answer.TrySetException(new IOException("the connection to the Handle server closed before it answered"));
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        _client.Dispose();
        await _reading.ConfigureAwait(false);
        _closing.Dispose();
        // _writing and _inFlight are left to the collector: a request still inside SendAsync when the connection broke and
        // was replaced releases them on its way out, and a disposed semaphore would throw ObjectDisposedException there
        // instead of the IOException its caller retries on. They hold no OS handle (AvailableWaitHandle is never used).
    }
}
