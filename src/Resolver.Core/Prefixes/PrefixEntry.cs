namespace Resolver.Core.Prefixes;

/// <summary>A prefix this node knows and how it serves it.</summary>
/// <param name="Prefix">The canonical prefix.</param>
/// <param name="Kind">Homed here or delegated elsewhere.</param>
/// <param name="Endpoints">For delegations: the gRPC endpoints of the site serving it.</param>
/// <param name="CreatedAt">When the entry was made.</param>
/// <param name="Owner">The enterprise that owns the prefix (and its sub-prefixes), if any.</param>
/// <param name="Ttl">For delegations: seconds a referral to the site may be cached (homed entries carry it unused).</param>
public sealed record PrefixEntry(string Prefix, PrefixKind Kind, IReadOnlyList<string> Endpoints, DateTimeOffset CreatedAt, string? Owner = null, int Ttl = PrefixEntry.DefaultTtl)
{
    /// <summary>The referral TTL of a delegation made without one, and of every entry stored before delegations had their own.</summary>
    public const int DefaultTtl = 3600;
}

/// <summary>How a node serves a prefix.</summary>
public enum PrefixKind
{
    /// <summary>This node is authoritative.</summary>
    Homed = 1,

    /// <summary>Another site is authoritative; this node refers to it.</summary>
    Delegated = 2,
}
