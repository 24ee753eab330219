using Resolver.Core.Prefixes;
using Resolver.Federation;

namespace Resolver.Server.Federation;

/// <summary>
/// A recursive node's part in following referrals (docs/federation.md, "Trust between nodes"; "Whose view is cached"):
/// referred endpoints are dialled only when <c>--site-allow</c> admits them (by default the hosts of
/// <paramref name="configured"/>, this node's delegations and upstream); this node's <c>--site-token</c> goes only to the
/// endpoints its administrator named for the authority, and never in the clear beyond this machine; referrals followed
/// are learned under their authority. One per read: <paramref name="configured"/> is the prefix table of that read.
/// </summary>
internal sealed class NodeReferralPolicy(SiteAllowList allowed, IReadOnlyList<string> configured, LearnedReferrals learned, string siteToken) : IReferralPolicy
{
    public bool MayDial(string endpoint, SiteAuthority authority) => allowed.Allows(endpoint, configured);

    public string? CredentialFor(string endpoint, SiteAuthority authority) =>
        siteToken.Length > 0 && authority.Endpoints.Contains(endpoint, StringComparer.Ordinal) &&
        (endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || SiteEndpoint.IsLoopback(endpoint))
            ? siteToken
            : null;

    public void Learn(SiteAuthority authority, string prefix, IReadOnlyList<string> endpoints, int ttl) => learned.Learn(authority, prefix, endpoints, ttl);
}
