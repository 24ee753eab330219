using Resolver.Core.Prefixes;

namespace Resolver.Core.Resolution;

/// <summary>
/// Whether this node resolves identifiers under delegated prefixes itself (as a DNS recursive resolver does) or
/// answers with a referral, and where it sends identifiers under prefixes it knows nothing of (SPEC §4).
/// </summary>
/// <param name="Recursive">Follow referrals to the authoritative site, unless the query opts out (<see cref="ResolveQuery.NoRecursion"/>).</param>
/// <param name="Upstream">The site asked for prefixes this node neither homes nor knows a delegation for (e.g. a secondary node, the top-level node); null: none, such identifiers are not found.</param>
/// <param name="MaxHops">The most sites one identifier may take to resolve; past it, the chain is reported as too long (a loop, usually).</param>
public sealed record Recursion(bool Recursive, string? Upstream, int MaxHops)
{
    /// <summary>The upstream as the root of trust of what it answers; null without one.</summary>
    public SiteAuthority? UpstreamSite { get; } = Upstream is null ? null : SiteAuthority.ForUpstream(Upstream);

    /// <summary>An authoritative-only node: referrals for delegated prefixes, no upstream.</summary>
    public static Recursion None { get; } = new(false, null, 8);
}
