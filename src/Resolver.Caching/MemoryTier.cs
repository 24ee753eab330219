using Microsoft.Extensions.Caching.Memory;

namespace Resolver.Caching;

/// <summary>
/// The in-process L1: bounded by entry count (Microsoft.Extensions.Caching.Memory compacts it), and
/// version-aware: a fill never replaces a newer record with an older one, and an invalidation leaves a
/// watermark so that a reader that loaded the old row before the write cannot put it back.
/// </summary>
internal sealed class MemoryTier : IDisposable
{
    private readonly MemoryCache _cache;
    private readonly Lock[] _stripes = [.. Enumerable.Range(0, 64).Select(_ => new Lock())];

    public MemoryTier(int maxEntries) =>
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = maxEntries, CompactionPercentage = 0.1 });

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

            _cache.Set(key, new Slot(entry, entry.Version), new MemoryCacheEntryOptions { Size = 1 });
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

            _cache.Set(key, new Slot(null, version), new MemoryCacheEntryOptions { Size = 1 });
        }
    }

    /// <summary>Forgets everything (after the invalidation channel was interrupted and messages may be lost).</summary>
    public void Clear() => _cache.Compact(1.0);

    public void Dispose() => _cache.Dispose();

    private Lock Stripe(string key) => _stripes[(StringComparer.Ordinal.GetHashCode(key) & int.MaxValue) % _stripes.Length];

    private sealed record Slot(CacheEntry? Entry, long Watermark);
}
