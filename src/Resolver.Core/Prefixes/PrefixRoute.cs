namespace Resolver.Core.Prefixes;

/// <summary>Where the authority step sends an identifier (SPEC §4): answered here, referred to a site, or unknown here.</summary>
/// <param name="Kind">The kind of route.</param>
/// <param name="Authority">The longest known prefix covering the identifier's prefix (homed or delegated); null when unknown.</param>
/// <param name="Site">For a delegated prefix: the delegation as the root of trust of what its site answers.</param>
public readonly record struct PrefixRoute(RouteKind Kind, PrefixEntry? Authority, SiteAuthority? Site = null)
{
    /// <summary>No known prefix covers the identifier: an upstream node (when one is configured) is asked, else NOT_FOUND.</summary>
    public static PrefixRoute Unknown => new(RouteKind.Unknown, null);
}

/// <summary>The kinds of <see cref="PrefixRoute"/>.</summary>
public enum RouteKind
{
    /// <summary>No prefix this node knows covers the identifier.</summary>
    Unknown,

    /// <summary>This node homes the prefix: the record is read through the resolution chain.</summary>
    Local,

    /// <summary>Another site serves the prefix: answered with a referral (or, on a recursive node, resolved there).</summary>
    Delegated,
}
