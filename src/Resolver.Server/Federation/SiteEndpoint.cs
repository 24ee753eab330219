namespace Resolver.Server.Federation;

/// <summary>What a site endpoint may look like when it comes from another node's referral: an absolute http(s) URL with a host (and port), nothing else.</summary>
internal static class SiteEndpoint
{
    /// <summary>True for <c>https://host:port</c> or <c>http://host:port</c> (an optional trailing slash), as delegations are stored.</summary>
    public static bool IsWellFormed(string endpoint) =>
        endpoint.Length <= 300 &&
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) &&
        (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) &&
        uri.Host.Length > 0 && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0;

    /// <summary>True when a credential may be sent there in the clear: only to this machine.</summary>
    public static bool IsLoopback(string endpoint) => Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.IsLoopback;
}
