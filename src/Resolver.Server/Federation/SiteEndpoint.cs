namespace Resolver.Server.Federation;

/// <summary>Where this node's own credential may go in the clear (sites' form is <see cref="Core.Prefixes.PrefixAdministration.IsSite"/>).</summary>
internal static class SiteEndpoint
{
    /// <summary>True when a credential may be sent there in the clear: only to this machine.</summary>
    public static bool IsLoopback(string endpoint) => Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.IsLoopback;
}
