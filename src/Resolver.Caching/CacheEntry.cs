using Resolver.Core.Records;

namespace Resolver.Caching;

/// <summary>A cached answer for one key: a whole record (tombstones included) or "not found", with its lifetimes.</summary>
/// <param name="Record">The record; null for a negative entry.</param>
/// <param name="FreshUntil">Served without asking the store until then.</param>
/// <param name="StaleUntil">Kept until then, served only while the store is unreachable.</param>
internal sealed record CacheEntry(HandleRecord? Record, DateTimeOffset FreshUntil, DateTimeOffset StaleUntil)
{
    /// <summary>The record version; 0 for "not found", so any real record supersedes it.</summary>
    public long Version => Record?.Version ?? 0;

    /// <summary>An entry for what the store answered at <paramref name="now"/>.</summary>
    public static CacheEntry For(HandleRecord? record, DateTimeOffset now, CacheOptions options)
    {
        var fresh = record is null ? options.NegativeTtl : Freshness(record, options.TtlCap);
        return new CacheEntry(record, now + fresh, now + fresh + options.StaleWindow);
    }

    // Fresh for min(values' TTL, cap); a record without values (a tombstone) for the cap.
    private static TimeSpan Freshness(HandleRecord record, TimeSpan cap)
    {
        if (record.Values.Count == 0)
        {
            return cap;
        }

        var ttl = TimeSpan.FromSeconds(record.Values.Min(v => v.Ttl));
        return ttl < cap ? ttl : cap;
    }
}
