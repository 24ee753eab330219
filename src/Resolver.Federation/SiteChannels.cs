using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;

namespace Resolver.Federation;

/// <summary>
/// The connection pool of <see cref="GrpcSiteClient"/>: one gRPC channel per site endpoint (HTTP/2 connections reused across calls), and a bounded set of them: at most
/// <see cref="MaxChannels"/> open at once, the least recently used closed first, and any unused for
/// <see cref="IdleTimeout"/> closed, so that however many endpoints referrals name, the channels cost no more than the
/// bound. A channel is closed only when no call holds it (<see cref="Lease"/>). https:// sites are checked against the
/// system's roots, or against <see cref="GrpcSiteOptions.CaFile"/> alone for a private PKI (a node's <c>--site-ca-file</c>).
/// </summary>
public sealed class SiteChannels(GrpcSiteOptions options, TimeProvider time) : IDisposable
{
    /// <summary>Most site channels open at once.</summary>
    public const int MaxChannels = 256;

    /// <summary>How long a channel no call used stays open.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Slot> _open = new(StringComparer.Ordinal);
    private readonly Lazy<X509Certificate2Collection?> _roots = new(() => LoadRoots(options.CaFile));
    private long _lastSweep;

    /// <summary>Channels open now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>The resolution client of <paramref name="endpoint"/> (e.g. https://node.example:5443), held until the lease is disposed.</summary>
    public Lease Acquire(string endpoint)
    {
        List<Slot>? closing = null;
        Slot slot;
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (time.GetElapsedTime(_lastSweep, now) > IdleTimeout / 10)
            {
                _lastSweep = now;
                foreach (var (key, idle) in _open.Where(e => e.Value.Leases == 0 && time.GetElapsedTime(e.Value.LastUsed, now) > IdleTimeout).ToList())
                {
                    _open.Remove(key);
                    (closing ??= []).Add(idle);
                }
            }

            if (!_open.TryGetValue(endpoint, out slot!))
            {
                if (_open.Count >= MaxChannels)
                {
                    var (key, oldest) = _open.MinBy(e => e.Value.LastUsed);
                    _open.Remove(key);
                    oldest.Retired = true;
                    if (oldest.Leases == 0)
                    {
                        (closing ??= []).Add(oldest);
                    }
                }

                slot = new Slot(Create(endpoint));
                _open[endpoint] = slot;
            }

            slot.Leases++;
            slot.LastUsed = now;
        }

        foreach (var idle in closing ?? [])
        {
            idle.Channel.Dispose();
        }

        return new Lease(this, slot);
    }

    private void Release(Slot slot)
    {
        bool close;
        lock (_gate)
        {
            slot.Leases--;
            slot.LastUsed = time.GetTimestamp();
            close = slot.Retired && slot.Leases == 0;
        }

        if (close)
        {
            slot.Channel.Dispose();
        }
    }

    /// <summary>Closes every channel.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var slot in _open.Values)
            {
                slot.Channel.Dispose();
            }

            _open.Clear();
        }
    }

    private GrpcChannel Create(string endpoint)
    {
        var handler = new SocketsHttpHandler
        {
            // A site answers; it does not send this node elsewhere: a redirect would dial a host --site-allow never saw.
            AllowAutoRedirect = false,
            ConnectTimeout = options.ConnectTimeout,
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = IdleTimeout,
        };
        if (_roots.Value is { } roots)
        {
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                // A private PKI rarely publishes revocation lists the node can reach; its certificates are short-lived instead.
                RevocationMode = X509RevocationMode.NoCheck,
            };
            handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }

        // A site answers at most a batch of IterativeResolver.SiteBatch records, each checked against this node's limits after.
        return GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { HttpHandler = handler, MaxReceiveMessageSize = options.MaxReceiveBytes });
    }

    private static X509Certificate2Collection? LoadRoots(string path)
    {
        if (path.Length == 0)
        {
            return null;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(path);
        return roots;
    }

    /// <summary>A site's client, held for one call; disposing it lets the channel close when it is retired.</summary>
    public readonly struct Lease(SiteChannels owner, Slot slot) : IDisposable
    {
        /// <summary>The site's resolution client.</summary>
        public Protocol.V1.Resolution.ResolutionClient Client => new(slot.Channel);

        /// <summary>Gives the channel back.</summary>
        public void Dispose() => owner.Release(slot);
    }

    /// <summary>One open channel and who holds it.</summary>
    public sealed class Slot(GrpcChannel channel)
    {
        internal GrpcChannel Channel { get; } = channel;

        internal int Leases { get; set; }

        internal long LastUsed { get; set; }

        internal bool Retired { get; set; }
    }
}
