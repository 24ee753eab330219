using System.Diagnostics;
using Resolver.Core.Errors;
using Resolver.Core.Storage;

namespace Resolver.Caching;

/// <summary>
/// The cache stage of the resolution chain: L1 (in-process) → L2 (Redis, one MGET for the batch) → the next
/// stage for what is left. An entry is fresh for min(values' TTL, cap); past that it is kept for the stale
/// window and served, marked stale, only when the next stage cannot answer (RFC 8767).
/// </summary>
public sealed class CachedRecordSource(CacheTiers tiers, IRecordSource next, TimeProvider time) : IRecordSource
{
    public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var results = new RecordLookup[keys.Count];
        var fallback = new CacheEntry?[keys.Count];   // stale entries, for when the next stage cannot answer

        // 1. L1.
        var missing = new List<int>(keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            if (!TryAnswer(tiers.Memory.Get(keys[i]), now, out results[i], ref fallback[i]))
            {
                missing.Add(i);
            }
        }

        tiers.Metrics.Hits("l1", keys.Count - missing.Count);
        tiers.Metrics.Misses("l1", missing.Count);

        // 2. L2: one round trip for all L1 misses; skipped while Redis is unreachable.
        var started = Stopwatch.GetTimestamp();
        if (missing.Count > 0 && tiers.Redis is { } redis && await redis.GetManyAsync([.. missing.Select(i => keys[i])]).ConfigureAwait(false) is { } shared)
        {
            tiers.Metrics.Duration("l2", started);
            var stillMissing = new List<int>(missing.Count);
            for (var m = 0; m < missing.Count; m++)
            {
                var i = missing[m];
                if (TryAnswer(shared[m], now, out results[i], ref fallback[i]))
                {
                    tiers.OfferToMemory(keys[i], shared[m]!, now);
                }
                else
                {
                    stillMissing.Add(i);
                }
            }

            tiers.Metrics.Hits("l2", missing.Count - stillMissing.Count);
            tiers.Metrics.Misses("l2", stillMissing.Count);
            missing = stillMissing;
        }

        if (missing.Count == 0)
        {
            return results;
        }

        // 3. The next stage, for what no tier could answer fresh; what it answers fills both tiers.
        var answers = await next.GetManyAsync([.. missing.Select(i => keys[i])], cancellationToken).ConfigureAwait(false);
        var fills = new List<(string Key, CacheEntry Entry)>(missing.Count);
        var staleServed = 0;
        for (var m = 0; m < missing.Count; m++)
        {
            var i = missing[m];
            var answer = answers[m];
            if (answer.Problem is { Kind: ErrorKind.Unavailable } && fallback[i] is { } stale)
            {
                // RFC 8767: an answer past its freshness beats no answer while the source is down.
                results[i] = new RecordLookup(stale.Record, Stale: true);
                staleServed++;
                continue;
            }

            results[i] = answer;
            if (answer is { Problem: null, Stale: false })
            {
                var entry = CacheEntry.For(answer.Record, now, tiers.Options);
                tiers.OfferToMemory(keys[i], entry, now);
                fills.Add((keys[i], entry));
            }
        }

        tiers.Metrics.StaleServed(staleServed);
        if (fills.Count > 0)
        {
            tiers.Redis?.FillInBackground(fills, now);
        }

        return results;
    }

    // A fresh entry answers; a stale one is kept (the newest seen) in case the next stage cannot answer.
    private static bool TryAnswer(CacheEntry? entry, DateTimeOffset now, out RecordLookup result, ref CacheEntry? fallback)
    {
        result = default;
        if (entry is null)
        {
            return false;
        }

        if (now < entry.FreshUntil)
        {
            result = new RecordLookup(entry.Record);
            return true;
        }

        if (now < entry.StaleUntil && (fallback is null || fallback.Version < entry.Version))
        {
            fallback = entry;
        }

        return false;
    }
}
