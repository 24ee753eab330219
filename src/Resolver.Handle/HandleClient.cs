using System.Net;
using System.Net.Sockets;

namespace Resolver.Handle;

/// <summary>How a <see cref="HandleClient"/> reaches its server.</summary>
public enum HandleTransport
{
    /// <summary>A persistent TCP connection, requests pipelined on it.</summary>
    Tcp,

    /// <summary>One datagram each way (larger answers in several); an answer too large for UDP fails.</summary>
    Udp,

    /// <summary>UDP first, as CNRI's client does; TCP when the answer is too large for UDP, or UDP gets no answer in time.</summary>
    UdpThenTcp,
}

/// <summary>
/// A client of one Handle server (what <c>hdl-qresolver</c> does): resolution and site information over TCP, UDP, or
/// UDP then TCP. Its TCP connection is opened on first use, reused for every request after, several in flight at once,
/// and opened again when it breaks. A server that closes the connection after answering (CNRI's Handle.Net does, after
/// each answer) is then asked over a connection of its own per request. Thread-safe.
/// </summary>
/// <param name="host">The server's host name or address.</param>
/// <param name="port">Its port, the same for TCP and UDP.</param>
/// <param name="time">The clock requests are dated with and absolute TTLs read against.</param>
/// <param name="udpTimeout">How long to wait for an answer over UDP before giving up (or trying TCP).</param>
/// <param name="maxInFlight">How many requests may wait for answers on the TCP connection at once.</param>
public sealed class HandleClient(string host, int port, TimeProvider time, TimeSpan udpTimeout, int maxInFlight = 64) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly SemaphoreSlim _oneShots = new(maxInFlight, maxInFlight);
    private HandleConnection? _connection;
    private volatile bool _connectionPerRequest;

    /// <summary>The server, <c>hdl://host:port</c>.</summary>
    public string Endpoint => $"hdl://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}";

    /// <summary>Resolves <paramref name="request"/> with <paramref name="flags"/> (e.g. REC, PO).</summary>
    /// <exception cref="IOException">The server could not be reached or the connection failed.</exception>
    /// <exception cref="TimeoutException">No answer over UDP in time (with <see cref="HandleTransport.Udp"/>).</exception>
    /// <exception cref="HandleProtocolException">The answer could not be read.</exception>
    /// <param name="request">The handle and the values wanted.</param>
    /// <param name="flags">The request's options.</param>
    /// <param name="transport">TCP, UDP, or UDP then TCP.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <param name="recursionCount">The servers the request has passed already (a node refuses past its hop limit).</param>
    public Task<HandleResponse> ResolveAsync(ResolutionRequest request, OpFlags flags, HandleTransport transport, CancellationToken cancellationToken, int recursionCount = 0) =>
        SendAsync((buffer, id) => RequestWriter.Resolution(buffer, id, request, flags, time.GetUtcNow(), recursionCount), transport, cancellationToken);

    /// <summary>Asks the server for its site information (<see cref="OpCode.GetSiteInfo"/>).</summary>
    public Task<HandleResponse> GetSiteInfoAsync(HandleTransport transport, CancellationToken cancellationToken) =>
        SendAsync((buffer, id) => RequestWriter.GetSiteInfo(buffer, id, time.GetUtcNow()), transport, cancellationToken);

    private async Task<HandleResponse> SendAsync(Action<MessageBuffer, int> write, HandleTransport transport, CancellationToken cancellationToken)
    {
        if (transport != HandleTransport.Tcp)
        {
            try
            {
                var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
                var answer = await HandleDatagramClient.SendAsync(new IPEndPoint(addresses.First(), port), write, udpTimeout, time, cancellationToken).ConfigureAwait(false);
                if (transport == HandleTransport.Udp || !answer.Envelope.Flags.HasFlag(EnvelopeFlags.Truncated))
                {
                    return answer;
                }
            }
            catch (Exception exception) when (transport == HandleTransport.UdpThenTcp && exception is TimeoutException or SocketException)
            {
                // No answer over UDP: TCP next, as CNRI's client moves to the server's next interface.
            }
            catch (SocketException exception)
            {
                throw new IOException($"{Endpoint} did not answer over UDP ({exception.SocketErrorCode})", exception);
            }
        }

        if (!_connectionPerRequest)
        {
            var connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await connection.SendAsync(write, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The shared connection broke with this request unanswered; a resolution is a read, so it is asked once
                // more, on a connection of its own. A server that answered exactly one request before closing is CNRI's
                // Handle.Net, which answers one request per TCP connection (benchmarks/cnri/FINDINGS.md): from now on it
                // gets a connection per request. (One that answered more, e.g. before its idle timeout, is simply
                // connected to again.)
                if (connection.Answered == 1)
                {
                    _connectionPerRequest = true;
                }
            }
        }

        await _oneShots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var own = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            return await own.SendAsync(write, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _oneShots.Release();
        }
    }

    private async Task<HandleConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await HandleConnection.ConnectAsync(host, port, maxInFlight, time, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException exception)
        {
            throw new IOException($"cannot connect to {Endpoint} over TCP ({exception.SocketErrorCode})", exception);
        }
    }

    private async Task<HandleConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsBroken: false } open)
        {
            return open;
        }

        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { IsBroken: false } reopened)
            {
                return reopened;
            }

            if (_connection is { } broken)
            {
                _connection = null;
                await broken.DisposeAsync().ConfigureAwait(false);
            }

            _connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            return _connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _connecting.Dispose();
        _oneShots.Dispose();
    }
}
