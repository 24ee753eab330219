using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Resolver.Caching;

/// <summary>
/// The read path's instruments on the "Resolver" meter (Prometheus names in docs/operations.md):
/// lookups per tier and result, round trips and their latency, and L1's size, evictions and Redis' availability.
/// </summary>
public sealed class CacheMetrics : IDisposable
{
    /// <summary>The meter every Resolver instrument lives on.</summary>
    public const string MeterName = "Resolver";

    /// <summary>Histogram buckets in seconds for the read path: a hit takes microseconds, a store query milliseconds.</summary>
    public static readonly IReadOnlyList<double> LatencyBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly Counter<long> _lookups;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _redisReads;
    private readonly Counter<long> _storeReads;
    private readonly Histogram<double> _storeDuration;
    private readonly Histogram<double> _redisDuration;

    public CacheMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _lookups = _meter.CreateCounter<long>("resolver.cache.lookups", unit: "{lookup}",
            description: "keys looked up per tier (tier: l1, redis, store); result: hit (fresh answer), stale (only a copy past its freshness), miss (nothing; for the store: not registered), error (the store could not answer)");
        _evictions = _meter.CreateCounter<long>("resolver.l1.evictions", unit: "{entry}", description: "L1 entries dropped to stay within --l1-max-mb / --l1-max-entries, or when L1 is cleared after the invalidation channel was interrupted");
        _redisReads = _meter.CreateCounter<long>("resolver.redis.reads", unit: "{read}", description: "MGET round trips on the read path");
        _storeReads = _meter.CreateCounter<long>("resolver.store.reads", unit: "{read}", description: "batched store queries on the read path");
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets };
        _storeDuration = _meter.CreateHistogram("resolver.store.duration", unit: "s", description: "time of one batched store query on the read path", advice: buckets);
        _redisDuration = _meter.CreateHistogram("resolver.redis.duration", unit: "s", description: "time of one MGET on the read path", advice: buckets);
    }

    /// <summary>The meter these instruments live on (listeners tell replicas apart by it).</summary>
    public Meter Meter => _meter;

    internal void Lookups(string tier, string result, int count)
    {
        if (count > 0)
        {
            _lookups.Add(count, new KeyValuePair<string, object?>("tier", tier), new KeyValuePair<string, object?>("result", result));
        }
    }

    internal void Evicted() => _evictions.Add(1);

    internal void RedisRead() => _redisReads.Add(1);

    internal void StoreRead() => _storeReads.Add(1);

    internal void StoreDuration(long startTimestamp) => _storeDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    internal void RedisDuration(long startTimestamp) => _redisDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    /// <summary>Publishes the tiers' state as gauges: L1 entries and bytes, and whether Redis is reachable (only with --redis).</summary>
    internal void Observe(CacheTiers tiers)
    {
        _meter.CreateObservableGauge("resolver.l1.entries", () => tiers.Memory.EntryCount, unit: "{entry}", description: "entries in L1 (records and invalidation watermarks)");
        _meter.CreateObservableGauge("resolver.l1.bytes", () => tiers.Memory.EstimatedBytes, unit: "By", description: "bytes L1's entries are charged (bounded by --l1-max-mb)");
        if (tiers.Redis is { } redis)
        {
            _meter.CreateObservableGauge("resolver.redis.up", () => redis.IsConnected ? 1 : 0, description: "1 while Redis (L2 and the invalidation channel) is reachable, else 0");
        }
    }

    public void Dispose() => _meter.Dispose();
}
