using Resolver.Core.Resolution;

namespace Resolver.Server.Configuration;

/// <summary>This node's place in the tree of nodes: recursion, upstream, and how it talks to other sites (flags in <see cref="ServerSettings"/>; SPEC §4, docs/federation.md).</summary>
public sealed class FederationOptions
{
    /// <summary>Resolve identifiers under delegated prefixes at their site and answer as if local (callers opt out with no_recursion).</summary>
    public bool Recursive { get; set; }

    /// <summary>The gRPC URL of the node asked for prefixes this node neither homes nor knows a delegation for; empty: none.</summary>
    public string Upstream { get; set; } = "";

    /// <summary>PEM bundle of the certificate authorities trusted for https:// sites (a private PKI); empty: the system's.</summary>
    public string SiteCaFile { get; set; } = "";

    /// <summary>Bearer token this node presents to sites (its own identity, never a caller's); empty: anonymous.</summary>
    public string SiteToken { get; set; } = "";

    /// <summary>
    /// Where referrals may send this node: CIDR ranges, host names, *.domain patterns or *, separated by commas; empty: the
    /// hosts of the configured delegations and upstream, and loopback only when one of those is loopback.
    /// </summary>
    public string SiteAllow { get; set; } = "";

    /// <summary>Longest wait for one site, in milliseconds (a shorter caller deadline wins).</summary>
    [SettingRange(100, 60_000)]
    public int SiteTimeoutMs { get; set; } = 2000;

    /// <summary>Most sites one identifier may take to resolve; past it the chain is reported (a delegation loop, usually).</summary>
    [SettingRange(1, 32)]
    public int MaxHops { get; set; } = 8;

    /// <summary>The resolution path's view of these settings.</summary>
    public Recursion ToRecursion() => new(Recursive, Upstream.Length > 0 ? Upstream.TrimEnd('/') : null, MaxHops);
}
