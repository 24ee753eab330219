using Resolver.Handle;

namespace Resolver.Federation;

/// <summary>
/// The Handle servers this node talks to, one <see cref="HandleClient"/> (one persistent TCP connection) per
/// <c>hdl://</c> endpoint, at most <see cref="MaxSites"/> of them: past that, the one used longest ago is closed, so
/// referrals to ever new endpoints cannot grow the pool (as <see cref="SiteChannels"/> for gRPC sites).
/// </summary>
public sealed class HandleSites(TimeProvider time) : IAsyncDisposable
{
    /// <summary>Most Handle servers with an open connection at once.</summary>
    public const int MaxSites = 256;

    /// <summary>Requests in flight on one server's connection at once; more wait for one to be answered.</summary>
    public const int MaxInFlight = 64;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (HandleClient Client, long LastUsed)> _clients = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The client of <paramref name="endpoint"/> (<c>hdl://host:port</c>), opened on first use.</summary>
    /// <exception cref="ArgumentException">Not an <c>hdl://host:port</c> endpoint.</exception>
    public HandleClient Acquire(string endpoint)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme != "hdl" || uri.Host.Length == 0 || uri.Port <= 0)
        {
            throw new ArgumentException($"{endpoint} is not hdl://host:port", nameof(endpoint));
        }

        HandleClient? evicted = null;
        HandleClient client;
        lock (_gate)
        {
            if (_clients.TryGetValue(endpoint, out var known))
            {
                client = known.Client;
            }
            else
            {
                if (_clients.Count >= MaxSites)
                {
                    var oldest = _clients.MinBy(pair => pair.Value.LastUsed);
                    _clients.Remove(oldest.Key);
                    evicted = oldest.Value.Client;
                }

                client = new HandleClient(uri.Host.Trim('[', ']'), uri.Port, time, TimeSpan.FromSeconds(1), MaxInFlight);
            }

            _clients[endpoint] = (client, time.GetTimestamp());
        }

        if (evicted is not null)
        {
            _ = evicted.DisposeAsync().AsTask(); // its requests in flight fail as a broken connection would
        }

        return client;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        List<HandleClient> clients;
        lock (_gate)
        {
            clients = [.. _clients.Values.Select(v => v.Client)];
            _clients.Clear();
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }
}
