using Microsoft.AspNetCore.Routing.Matching;

namespace Resolver.Server.Telemetry;

/// <summary>
/// Endpoint metadata: the route is served only on connections that arrived on <paramref name="Port"/> of this server
/// (<c>HttpContext.Connection.LocalPort</c>). ASP.NET Core's <c>RequireHost("*:port")</c> reads the client's Host header,
/// which anyone can write: <c>Host: x:5281</c> on the TLS port reached /metrics. The port a connection arrived on is the
/// listener's own and cannot be forged.
/// </summary>
/// <param name="Port">The local TCP port, e.g. that of <c>--http-url</c>.</param>
internal sealed record LocalPortOnly(int Port);

/// <summary>
/// Routing's check of <see cref="LocalPortOnly"/>, as <c>HostMatcherPolicy</c> checks RequireHost: a candidate endpoint for
/// another local port is not a match, so the request is answered as for an unknown path (404).
/// </summary>
internal sealed class LocalPortMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    /// <summary>Where it runs among the routing policies; any place works, it only removes candidates.</summary>
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Any(endpoint => endpoint.Metadata.GetMetadata<LocalPortOnly>() is not null);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && candidates[i].Endpoint.Metadata.GetMetadata<LocalPortOnly>() is { } only &&
                only.Port != httpContext.Connection.LocalPort)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}
