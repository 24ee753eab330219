using Resolver.Core.Prefixes;

namespace Resolver.Core.Storage;

/// <summary>
/// One key the resolution chain is asked for: a record's canonical identifier key and, when another node serves it,
/// the authority the route found (<see cref="SiteAuthority"/>: the delegation or upstream its resolution starts from).
/// The route is decided once, by the resolution path; the stages only read it.
/// </summary>
public readonly struct RecordKey : IEquatable<RecordKey>
{
    /// <summary>A key of this node's own store.</summary>
    public RecordKey(string key)
        : this(key, null)
    {
    }

    /// <summary>A key served by <paramref name="site"/>, or by this node's store when it is null.</summary>
    public RecordKey(string key, SiteAuthority? site)
    {
        Key = key;
        Site = site;
    }

    /// <summary>The canonical identifier key (what the store, or the site, is asked for).</summary>
    public string Key { get; }

    /// <summary>The authority of a record another node serves; null for this node's own records.</summary>
    public SiteAuthority? Site { get; }

    /// <summary>
    /// The key of the cache tiers: the identifier key for a local record; for a remote one, the authority's tag and it, so
    /// that it is cached apart from a local record of the same identifier and from what another authority said of it (the
    /// leading space can start no identifier's key, so no caller can read or plant such an entry). Two fields, not three:
    /// a local key, by far the most common, costs no more than its string wherever keys are held in bulk.
    /// </summary>
    public string CacheKey => Site is null ? Key : $" {Site.Tag} {Key}";

    /// <summary>True when another node serves the record.</summary>
    public bool IsRemote => Site is not null;

    public static implicit operator RecordKey(string key) => new(key);

    public bool Equals(RecordKey other) =>
        string.Equals(Key, other.Key, StringComparison.Ordinal) && string.Equals(Site?.Tag, other.Site?.Tag, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is RecordKey other && Equals(other);

    public override int GetHashCode() => Site is null ? StringComparer.Ordinal.GetHashCode(Key) : HashCode.Combine(StringComparer.Ordinal.GetHashCode(Key), StringComparer.Ordinal.GetHashCode(Site.Tag));

    public static bool operator ==(RecordKey left, RecordKey right) => left.Equals(right);

    public static bool operator !=(RecordKey left, RecordKey right) => !left.Equals(right);

    public override string ToString() => CacheKey;
}
