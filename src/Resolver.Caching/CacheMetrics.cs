using System.Diagnostics.Metrics;

namespace Resolver.Caching;

/// <summary>The read path's instruments on the "Resolver" meter: hits and misses per tier, stale answers, round trips.</summary>
public sealed class CacheMetrics : IDisposable
{
    /// <summary>The meter every Resolver instrument lives on.</summary>
    public const string MeterName = "Resolver";

    private readonly Meter _meter;
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _stale;
    private readonly Counter<long> _redisReads;
    private readonly Counter<long> _storeReads;
    private readonly Histogram<double> _duration;

    public CacheMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _hits = _meter.CreateCounter<long>("resolver.cache.hits", description: "lookups answered fresh by a cache tier (tag tier: l1, l2)");
        _misses = _meter.CreateCounter<long>("resolver.cache.misses", description: "lookups a cache tier could not answer fresh (tag tier: l1, l2)");
        _stale = _meter.CreateCounter<long>("resolver.cache.stale_served", description: "answers served stale because the store was unreachable");
        _redisReads = _meter.CreateCounter<long>("resolver.redis.reads", description: "MGET round trips on the read path");
        _storeReads = _meter.CreateCounter<long>("resolver.store.reads", description: "batched store queries on the read path");
        _duration = _meter.CreateHistogram<double>("resolver.cache.duration", unit: "ms", description: "time to answer a batch from a tier (tag tier: l2, store)");
    }

    internal void Hits(string tier, int count) => Add(_hits, tier, count);

    internal void Misses(string tier, int count) => Add(_misses, tier, count);

    internal void StaleServed(int count) => _stale.Add(count);

    internal void RedisRead() => _redisReads.Add(1);

    internal void StoreRead() => _storeReads.Add(1);

    internal void Duration(string tier, long startTimestamp) =>
        _duration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, new KeyValuePair<string, object?>("tier", tier));

    /// <summary>The meter these instruments live on (listeners tell replicas apart by it).</summary>
    public Meter Meter => _meter;

    public void Dispose() => _meter.Dispose();

    private static void Add(Counter<long> counter, string tier, int count)
    {
        if (count > 0)
        {
            counter.Add(count, new KeyValuePair<string, object?>("tier", tier));
        }
    }
}
