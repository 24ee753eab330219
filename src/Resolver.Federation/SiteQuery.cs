using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Resolution;
using ResolveResult = Resolver.Protocol.V1.ResolveResult;

namespace Resolver.Federation;

/// <summary>One identifier for the <see cref="IterativeResolver"/>: the authority it is resolved under and the site it starts at.</summary>
/// <param name="Key">The identifier's canonical key (<c>88.168.1/abc-123</c> for a case-folding suffix).</param>
/// <param name="Authority">The root of trust: the configured delegation or the upstream the route found; a site is believed only below its prefix.</param>
/// <param name="SitePrefix">The prefix of the first site asked (the authority's, or a longer one learned under it).</param>
/// <param name="SiteEndpoints">The endpoints of the first site, tried in order.</param>
public sealed record SiteQuery(string Key, SiteAuthority Authority, string SitePrefix, IReadOnlyList<string> SiteEndpoints)
{
    /// <summary>The values wanted; all of them unless the caller asked for fewer.</summary>
    public ValueFilter Filter { get; init; } = ValueFilter.All;

    /// <summary>
    /// What the first site (<see cref="SiteEndpoints"/>) already answered, asked outside the resolver (the CLI's call to
    /// its node): it is checked and followed as if the resolver had asked, without asking again; null: ask it.
    /// </summary>
    public ResolveResult? Answered { get; init; }

    /// <summary>The hops before the resolver's own (e.g. the node that gave <see cref="Answered"/>); the resolver adds the sites it asks.</summary>
    public IReadOnlyList<Hop> TraceSoFar { get; init; } = [];

    /// <summary>The identifier's prefix (the key before its first slash).</summary>
    public string Prefix => Key[..Key.IndexOf('/', StringComparison.Ordinal)];
}
