using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Resolver.Handle;
using Resolver.Server.Configuration;

namespace Resolver.Server.HandleWire;

/// <summary>
/// The Handle protocol on <c>--handle-url</c> (RFC 3652 §2): one TCP listener, whose connections stay open and carry
/// many requests each (<see cref="HandleTcpSession"/>), and one UDP socket, one datagram per request and at most
/// <c>--handle-udp-answer-bytes</c> back. Both only decode and encode: the call is <see cref="HandleService"/>'s.
/// On stop, no new connection or datagram is taken; requests in flight finish within <c>--drain-seconds</c>.
/// </summary>
internal sealed partial class HandleListener(HandleService service, HandleDatagrams datagrams, NodeSite site, IOptions<HandleOptions> options, TimeProvider time, ILogger<HandleListener> logger) : BackgroundService
{
    /// <summary>The wire names calls carry (metrics, logs).</summary>
    public const string TcpWire = "handle-tcp", UdpWire = "handle-udp";

    /// <summary>Datagrams answered at once; past it, new ones are dropped (UDP is lossy: the client asks again, or over TCP).</summary>
    public const int MaxDatagramsInFlight = 512;

    /// <summary>Open TCP connections at once, and from one client address: past either, a new connection is closed at once.</summary>
    public const int MaxConnections = 4096, MaxConnectionsPerAddress = 64;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private int _connections;

    private TcpListener? _tcp;
    private Socket? _udp;

    /// <summary>The port the listener is bound to (the one given, or the one the system chose for port 0), once started.</summary>
    public int Port { get; private set; }

    /// <summary>The local TCP endpoint, once started.</summary>
    public IPEndPoint? TcpEndpoint => _tcp?.LocalEndpoint as IPEndPoint;

    /// <summary>The local UDP endpoint, once started.</summary>
    public IPEndPoint? UdpEndpoint => _udp?.LocalEndPoint as IPEndPoint;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return Task.CompletedTask; // --handle-url none
        }

        if (!HandleEndpoint.TryParse(options.Value.HandleUrl, out var host, out var port, out var error))
        {
            throw new InvalidOperationException(error); // checked at start by SettingsValidator already
        }

        var address = HandleEndpoint.ListenAddress(host) ?? IPAddress.Loopback;
        // Port 0: the system picks a free TCP port, and UDP takes the same number, which another socket may hold: try again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Bind(address, port);
                break;
            }
            catch (SocketException exception) when (port == 0 && attempt < 20 && exception.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                _tcp?.Stop();
                _udp?.Dispose();
            }
            catch (SocketException exception)
            {
                throw new IOException($"--handle-url {options.Value.HandleUrl}: cannot listen on TCP and UDP port {(Port == 0 ? port : Port)} of {address}", exception);
            }
        }

        site.ListeningOn(Port);
        Listening(logger, address, Port);
        return base.StartAsync(cancellationToken);
    }

    private void Bind(IPAddress address, int port)
    {
        _tcp = new TcpListener(address, port);
        _tcp.Start();
        Port = ((IPEndPoint)_tcp.LocalEndpoint).Port;
        _udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // Never share the UDP port: with SO_REUSEADDR another socket bound to it could receive the requests.
        _udp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, false);
        _udp.ExclusiveAddressUse = true;
        _udp.Bind(new IPEndPoint(address, Port));
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(AcceptAsync(stoppingToken), ReceiveAsync(stoppingToken));

    private async Task AcceptAsync(CancellationToken stoppingToken)
    {
        var sessions = new List<Task>();
        using (stoppingToken.Register(() => _tcp!.Stop()))
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _tcp!.AcceptTcpClientAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    break;
                }

                sessions.RemoveAll(task => task.IsCompleted);
                var address = (client.Client.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
                if (!TryOpen(address))
                {
                    client.Dispose(); // over the bounds: the client may try again later, or over UDP
                    continue;
                }

                sessions.Add(ServeAsync(client, address, stoppingToken));
            }
        }

        await Task.WhenAll(sessions).ConfigureAwait(false); // each ends once its requests in flight are answered
    }

    private async Task ServeAsync(TcpClient client, IPAddress address, CancellationToken stoppingToken)
    {
        try
        {
            using var session = new HandleTcpSession(client, service, TimeSpan.FromSeconds(options.Value.HandleIdleSeconds), time);
            await session.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
            _perAddress.AddOrUpdate(address, 0, (_, count) => count - 1);
            _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, 0));
        }
    }

    private bool TryOpen(IPAddress address)
    {
        if (Interlocked.Increment(ref _connections) > MaxConnections)
        {
            Interlocked.Decrement(ref _connections);
            return false;
        }

        if (_perAddress.AddOrUpdate(address, 1, (_, count) => count + 1) > MaxConnectionsPerAddress)
        {
            Interlocked.Decrement(ref _connections);
            _perAddress.AddOrUpdate(address, 0, (_, count) => count - 1);
            return false;
        }

        return true;
    }

    // UDP is answered by a few threads of its own, each blocked in the receive system call on the one socket, rather than
    // by an asynchronous receive loop: an L1 hit is answered inline, so an answer costs one receive and one send per
    // datagram, where the socket engine's hand-offs between threads cost six more system calls per answer
    // (benchmarks/results/2026-12-07-handle-profile.md), and one loop answers one datagram at a time.
    private Task ReceiveAsync(CancellationToken stoppingToken)
    {
        var inFlight = new SemaphoreSlim(MaxDatagramsInFlight, MaxDatagramsInFlight);
        var receivers = Enumerable.Range(0, UdpReceiveThreads).Select(number => RunOnThread($"handle-udp-{number}", () => Receive(inFlight, stoppingToken))).ToArray();
        // A receive blocked in the system call is woken by shutting the receiving side, so a stop does not wait for a datagram.
        var stopping = stoppingToken.Register(() => StopReceiving(_udp!));
        return DrainAsync();

        async Task DrainAsync()
        {
            await Task.WhenAll(receivers).ConfigureAwait(false);
            await stopping.DisposeAsync().ConfigureAwait(false);
            for (var i = 0; i < MaxDatagramsInFlight; i++)
            {
                await inFlight.WaitAsync(CancellationToken.None).ConfigureAwait(false); // the answers under way are sent before the socket goes (Dispose)
            }

            inFlight.Dispose();
        }
    }

    /// <summary>UDP receive threads: one per core, at most 8 (they share one socket, whose queue is the kernel's).</summary>
    private static int UdpReceiveThreads => Math.Clamp(Environment.ProcessorCount, 1, 8);

    private static Task RunOnThread(string name, Action work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception exception)
            {
                done.SetException(exception);
            }
        })
        { IsBackground = true, Name = name }.Start();
        return done.Task;
    }

    private static void StopReceiving(Socket udp)
    {
        try
        {
            udp.Shutdown(SocketShutdown.Receive);
        }
        catch (SocketException)
        {
            // Linux wakes the blocked receives and still reports "not connected" for a UDP socket.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Receive(SemaphoreSlim inFlight, CancellationToken stoppingToken)
    {
        var buffer = new byte[HandleProtocol.MaxDatagramSize];
        var any = new IPEndPoint(_udp!.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stoppingToken.IsCancellationRequested)
        {
            EndPoint sender = any;
            int received;
            try
            {
                received = _udp!.ReceiveFrom(buffer, ref sender);
            }
            catch (SocketException exception) when (exception.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue; // an ICMP error for an earlier answer, or a datagram larger than any request: nothing to answer
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                break;
            }

            if (stoppingToken.IsCancellationRequested || !inFlight.Wait(0, CancellationToken.None))
            {
                continue; // stopping (a shut socket reads empty datagrams), or saturated: dropped, as a DNS server drops what it cannot answer
            }

            // Not the node's stop: an answer under way is sent on a drain (each call is bounded by --max-request-seconds).
            // An L1 hit completes here, on this thread; a miss continues on the thread pool and this thread receives on.
            _ = AnswerDatagramAsync(buffer.AsSpan(0, received).ToArray(), (IPEndPoint)sender, inFlight, CancellationToken.None);
        }
    }

    private async Task AnswerDatagramAsync(byte[] datagram, IPEndPoint peer, SemaphoreSlim inFlight, CancellationToken stoppingToken)
    {
        try
        {
            using var output = new MessageBuffer(HandleProtocol.MaxDatagramSize);
            if (!await datagrams.AnswerAsync(datagram, peer.Address, output, options.Value.HandleUdpAnswerBytes, stoppingToken).ConfigureAwait(false))
            {
                return;
            }

            // A datagram socket sends without waiting on the peer: a blocking send returns once the kernel has the datagram.
            // (Linux's UDP segmentation, one system call for both datagrams of an answer, was tried: no gain measured.)
            var sent = new byte[HandleProtocol.MaxDatagramSize];
            var count = Datagrams.Count(output.Length - HandleProtocol.EnvelopeSize);
            for (var sequence = 0; sequence < count; sequence++)
            {
                var length = Datagrams.Write(output.WrittenSpan, sequence, sent);
                _udp!.SendTo(sent.AsSpan(0, length), SocketFlags.None, peer);
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer is gone or the node is stopping: a lost datagram, which the client asks again for.
        }
        finally
        {
            inFlight.Release();
        }
    }

    public override void Dispose()
    {
        _tcp?.Dispose();
        _udp?.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Handle protocol on {Address} port {Port} (TCP and UDP)")]
    private static partial void Listening(ILogger logger, IPAddress address, int port);
}
