namespace Resolver.Federation;

/// <summary>The site client of each site protocol, chosen by an endpoint's URI scheme (SPEC §4: gRPC <c>http(s)://</c>, Handle <c>hdl://</c>).</summary>
public sealed class SiteClients
{
    private readonly Dictionary<string, ISiteClient> _byScheme = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The clients given; a scheme two of them claim is an error.</summary>
    /// <exception cref="ArgumentException">Two clients claim the same scheme.</exception>
    public SiteClients(IEnumerable<ISiteClient> clients)
    {
        foreach (var client in clients)
        {
            foreach (var scheme in client.Schemes)
            {
                if (!_byScheme.TryAdd(scheme, client))
                {
                    throw new ArgumentException($"two site clients speak {scheme}://", nameof(clients));
                }
            }
        }
    }

    /// <summary>The client speaking <paramref name="endpoint"/>'s protocol, or null when no client speaks its scheme (or it is no URI).</summary>
    public ISiteClient? For(string endpoint)
    {
        var colon = endpoint.IndexOf("://", StringComparison.Ordinal);
        return colon > 0 && _byScheme.TryGetValue(endpoint[..colon], out var client) ? client : null;
    }
}
