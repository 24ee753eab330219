using System.Security.Cryptography;
using System.Text;

namespace Resolver.Core.Prefixes;

/// <summary>
/// Where this node's administrator said a prefix is answered elsewhere: a configured delegation (prefix and site
/// endpoints) or the upstream (the empty prefix, "everything this node neither homes nor delegates"). It is the root of
/// trust for every remote record resolved under it: a site is believed only below this prefix (SPEC §4,
/// docs/federation.md "Trust between nodes"), and whatever was learned or cached through it carries its
/// <see cref="Tag"/>, so that a changed delegation never serves what the old one said.
/// </summary>
public sealed class SiteAuthority
{
    private SiteAuthority(string prefix, IReadOnlyList<string> endpoints)
    {
        Prefix = prefix;
        Endpoints = endpoints;
        // Stable across replicas and restarts (cache keys in a shared Redis carry it), and short: 96 bits of SHA-256.
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(prefix + "\n" + string.Join('\n', endpoints)));
        Tag = Convert.ToHexStringLower(hash.AsSpan(0, 12));
    }

    /// <summary>The delegated prefix (canonical); empty for the upstream.</summary>
    public string Prefix { get; }

    /// <summary>The site's endpoints as the administrator configured them, in order.</summary>
    public IReadOnlyList<string> Endpoints { get; }

    /// <summary>24 hex digits naming this prefix with these endpoints: a redelegation, an undelegation or a new upstream is another tag.</summary>
    public string Tag { get; }

    /// <summary>True for the upstream: it may answer for any prefix this node neither homes nor delegates.</summary>
    public bool IsUpstream => Prefix.Length == 0;

    /// <summary>The authority of a configured delegation.</summary>
    public static SiteAuthority ForDelegation(PrefixEntry delegation) => new(delegation.Prefix, delegation.Endpoints);

    /// <summary>The authority of the configured upstream endpoint.</summary>
    public static SiteAuthority ForUpstream(string endpoint) => new("", [endpoint]);
}
