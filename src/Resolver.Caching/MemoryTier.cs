using Microsoft.Extensions.Caching.Memory;

namespace Resolver.Caching;

/// <summary>
/// The in-process L1: bounded in bytes and in entries (Microsoft.Extensions.Caching.Memory refuses what does not
/// fit and compacts), and version-aware: a fill never replaces a newer record with an older one, and an
/// invalidation leaves a watermark so that a reader that loaded the old row before the write cannot put it back.
/// Each entry is charged its estimated size, and at least maxBytes / maxEntries, so both bounds hold; a record
/// larger than an eighth of the budget is not kept in L1 at all (Redis and the store still serve it).
/// </summary>
internal sealed class MemoryTier : IDisposable
{
    private readonly MemoryCache _cache;
    private readonly Lock[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new Lock())];
    private readonly long _minimumCharge;
    private readonly long _largestEntry;

    private readonly Action? _evicted;

    /// <param name="maxBytes">The budget in bytes.</param>
    /// <param name="maxEntries">The most entries kept.</param>
    /// <param name="evicted">Told of every entry dropped for room (never of replacements or invalidations).</param>
    public MemoryTier(long maxBytes, int maxEntries, Action? evicted = null)
    {
        _evicted = evicted;
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = maxBytes, CompactionPercentage = 0.1, TrackStatistics = true });
        _minimumCharge = Math.Max(1, maxBytes / maxEntries);
        _largestEntry = maxBytes / 8;
    }

    /// <summary>The bytes L1's entries are charged, in total (never above the budget).</summary>
    public long EstimatedBytes => _cache.GetCurrentStatistics()?.CurrentEstimatedSize ?? 0;

    /// <summary>The entries L1 holds: records and invalidation watermarks.</summary>
    public long EntryCount => _cache.Count;

    public CacheEntry? Get(string key) => _cache.TryGetValue(key, out Slot? slot) ? slot!.Entry : null;

    /// <summary>Stores <paramref name="entry"/> unless L1 already knows a newer version of the key.</summary>
    public void Offer(string key, CacheEntry entry)
    {
        lock (Stripe(key))
        {
            if (_cache.TryGetValue(key, out Slot? current) && (current!.Watermark > entry.Version || (current.Entry?.Version ?? -1) > entry.Version))
            {
                return;
            }

            var charge = Charge(key, entry);
            if (charge > _largestEntry)
            {
                _cache.Remove(key); // never leave an older copy behind the one we did not keep
                return;
            }

            _cache.Set(key, new Slot(entry, entry.Version), Charged(charge));
        }
    }

    /// <summary>The newest version of the key L1 holds or has been told of (-1: none), evicted keys aside.</summary>
    public long KnownVersion(string key) =>
        _cache.TryGetValue(key, out Slot? slot) ? Math.Max(slot!.Watermark, slot.Entry?.Version ?? -1) : -1;

    /// <summary>Drops the key's entry if it is older than <paramref name="version"/>, remembering that version as the floor for later fills.</summary>
    public void Invalidate(string key, long version)
    {
        lock (Stripe(key))
        {
            if (_cache.TryGetValue(key, out Slot? current) && ((current!.Entry?.Version ?? -1) >= version || current.Watermark >= version))
            {
                return; // announcements from several writers may arrive out of order: the floor only rises
            }

            _cache.Set(key, new Slot(null, version), Charged(_minimumCharge));
        }
    }

    /// <summary>Forgets everything (after the invalidation channel was interrupted and messages may be lost).</summary>
    public void Clear() => _cache.Compact(1.0);

    public void Dispose() => _cache.Dispose();

    private MemoryCacheEntryOptions Charged(long size)
    {
        var options = new MemoryCacheEntryOptions { Size = size };
        if (_evicted is not null)
        {
            options.RegisterPostEvictionCallback(static (_, _, reason, state) =>
            {
                if (reason == EvictionReason.Capacity)
                {
                    ((Action)state!)();
                }
            }, _evicted);
        }

        return options;
    }

    // What an entry keeps on the heap, counted from a heap dump of a loaded node (benchmarks/README.md, "memory"): the
    // cache's bookkeeping and the record's own objects, then per value (and per reference) its objects both in the
    // record and in the answer message built from it (Resolver.Server's RecordAnswers), and every character or byte
    // three times (strings are UTF-16; binary data is copied into the answer; the answer's encoding is kept beside it).
    // The key and the identifier are two strings, and the identifier is in the encoding too.
    // Tested against what building an entry really allocates (L1FootprintTests), so that --l1-max-mb bounds memory,
    // not an estimate of it.
    private const long PerEntry = 1536;
    private const long PerValue = 768;
    private const long PerReference = 160;

    private long Charge(string key, CacheEntry entry)
    {
        var charge = PerEntry + (5L * key.Length);
        foreach (var value in entry.Record?.Values ?? [])
        {
            charge += PerValue + (PerReference * value.References.Count) + (3L * (value.Type.Length + Core.Records.RecordSize.OfPayload(value.Data, value.References)));
        }

        return Math.Max(_minimumCharge, charge);
    }

    private Lock Stripe(string key) => _stripes[(StringComparer.Ordinal.GetHashCode(key) & int.MaxValue) % _stripes.Length];

    private sealed record Slot(CacheEntry? Entry, long Watermark);
}
