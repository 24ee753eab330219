namespace Resolver.Server.Api;

/// <summary>
/// Endpoint metadata marking an HTTP route as part of the resolver API (the Handle REST routes), so that it is rate-limited
/// per caller like the resolver.v1 gRPC methods and their JSON transcodings.
/// </summary>
internal sealed class ResolverApiEndpoint
{
    private ResolverApiEndpoint()
    {
    }

    /// <summary>The one instance.</summary>
    public static ResolverApiEndpoint Instance { get; } = new();
}
