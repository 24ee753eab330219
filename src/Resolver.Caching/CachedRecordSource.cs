using System.Diagnostics;
using Resolver.Core.Errors;
using Resolver.Core.Storage;

namespace Resolver.Caching;

/// <summary>
/// The cache stage of the resolution chain: L1 (in-process) → L2 (Redis, one MGET for the batch) → the next
/// stage for what is left. An entry is fresh for min(values' TTL, cap); past that it is kept for the stale
/// window and served, marked stale, only when the next stage cannot answer (RFC 8767): it fails, or it does not answer
/// within <see cref="CacheOptions.StaleAnswerTimeout"/> for a key the cache holds stale. From then on the source is known
/// to be down and stale answers come at once, until an answer or a background probe sees it back (<see cref="SourceOutage"/>).
/// </summary>
public sealed class CachedRecordSource(CacheTiers tiers, IRecordSource next, TimeProvider time) : IRecordSource
{
    public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var results = new RecordLookup[keys.Count];
        var fallback = new CacheEntry?[keys.Count];   // stale entries, for when the next stage cannot answer

        // 1. L1.
        var missing = new List<int>(keys.Count);
        var expired = 0;
        for (var i = 0; i < keys.Count; i++)
        {
            if (!TryAnswer(tiers.Memory.Get(keys[i].CacheKey), now, heldByL1: true, out results[i], ref fallback[i], ref expired))
            {
                missing.Add(i);
            }
        }

        Count("l1", keys.Count, missing.Count, expired);

        // 2. Redis (L2): one round trip for all L1 misses; skipped while Redis is unreachable.
        var started = Stopwatch.GetTimestamp();
        if (missing.Count > 0 && tiers.Redis is { } redis && await redis.GetManyAsync([.. missing.Select(i => keys[i].CacheKey)]).ConfigureAwait(false) is { } shared)
        {
            tiers.Metrics.RedisDuration(started);
            var stillMissing = new List<int>(missing.Count);
            expired = 0;
            for (var m = 0; m < missing.Count; m++)
            {
                var i = missing[m];
                if (TryAnswer(shared[m], now, heldByL1: false, out results[i], ref fallback[i], ref expired))
                {
                    tiers.OfferToMemory(keys[i].CacheKey, shared[m]!, now);
                }
                else
                {
                    stillMissing.Add(i);
                }
            }

            Count("redis", missing.Count, stillMissing.Count, expired);
            missing = stillMissing;
        }

        if (missing.Count == 0)
        {
            return results;
        }

        // 3. The next stage, for what no tier could answer fresh; what it answers fills both tiers. Its read is not
        // the caller's to cancel: it still fills the cache for the next caller when this one has gone. Keys the cache
        // holds stale are answered from it at once while the source is known down, or after RFC 8767's stale answer
        // client timeout; keys with nothing stale wait for the next stage (the caller's deadline bounds them).
        if (_outage.IsDown && missing.Any(i => fallback[i] is not null))
        {
            _outage.ProbeIfDue(next);
            ServeStale(missing, fallback, results);
            missing = [.. missing.Where(i => fallback[i] is null)];
            if (missing.Count == 0)
            {
                return results;
            }
        }

        var asked = missing.Select(i => keys[i]).ToArray();
        var pending = next.GetManyAsync(asked, context, CancellationToken.None).AsTask();
        var answeredStale = false;
        if (missing.Any(i => fallback[i] is not null))
        {
            try
            {
                await pending.WaitAsync(tiers.Options.StaleAnswerTimeout, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _outage.MarkDown();
                ServeStale(missing, fallback, results);
                answeredStale = true;
                if (missing.All(i => fallback[i] is not null))
                {
                    _ = FillWhenAnsweredAsync(asked, pending);
                    return results;
                }
            }
        }

        var answers = await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
        for (var m = 0; m < missing.Count; m++)
        {
            var i = missing[m];
            if (answeredStale && fallback[i] is not null)
            {
                continue; // answered stale above; the answer that came late still fills the tiers below
            }

            var answer = answers[m];
            if (answer.Problem is { Kind: ErrorKind.Unavailable })
            {
                _outage.MarkDown();
                if (fallback[i] is { } stale)
                {
                    // RFC 8767: an answer past its freshness beats no answer while the source is down.
                    results[i] = new RecordLookup(stale.Record, Stale: true);
                    continue;
                }
            }

            results[i] = answer;
        }

        Fill(asked, answers, now);
        return results;
    }

    private readonly SourceOutage _outage = new(time);

    /// <summary>True while the stage behind this cache is known to be down (records cached past their freshness are answered at once).</summary>
    public bool SourceIsDown => _outage.IsDown;

    // The keys the cache holds past their freshness are answered from it, marked stale.
    private static void ServeStale(List<int> missing, CacheEntry?[] fallback, RecordLookup[] results)
    {
        foreach (var i in missing)
        {
            if (fallback[i] is { } stale)
            {
                results[i] = new RecordLookup(stale.Record, Stale: true);
            }
        }
    }

    // Every key a tier was asked for is one lookup: a fresh answer (hit), only a copy past its freshness (stale), or nothing (miss).
    private void Count(string tier, int asked, int unanswered, int expired)
    {
        tiers.Metrics.Lookups(tier, "hit", asked - unanswered);
        tiers.Metrics.Lookups(tier, "stale", expired);
        tiers.Metrics.Lookups(tier, "miss", unanswered - expired);
    }

    // What the next stage answered, fresh, goes into both tiers (never a problem, never a stale answer from further on).
    private void Fill(RecordKey[] asked, IReadOnlyList<RecordLookup> answers, DateTimeOffset now)
    {
        var fills = new List<(string Key, CacheEntry Entry)>(asked.Length);
        for (var m = 0; m < asked.Length; m++)
        {
            if (answers[m] is { Problem: null, Stale: false } answer)
            {
                var entry = CacheEntry.For(answer.Record, now, tiers.Options);
                tiers.OfferToMemory(asked[m].CacheKey, entry, now, fromElsewhere: asked[m].IsRemote);
                fills.Add((asked[m].CacheKey, entry));
            }
        }

        if (fills.Count > 0)
        {
            _outage.MarkUp();
            tiers.Redis?.FillInBackground(fills, now);
        }
    }

    // A read the caller stopped waiting for still warms the cache when it comes back.
    private async Task FillWhenAnsweredAsync(RecordKey[] asked, Task<IReadOnlyList<RecordLookup>> pending)
    {
        try
        {
            var answers = await pending.ConfigureAwait(false);
            Fill(asked, answers, time.GetUtcNow());
        }
        catch (Exception exception) when (exception is ResolverException or OperationCanceledException)
        {
            // Nothing to keep; the outage is already marked.
        }
    }

    // A fresh entry answers (an L1 entry with the very record L1 holds, answered again as the same instance); a stale one
    // is kept (the newest seen) in case the next stage cannot answer.
    private static bool TryAnswer(CacheEntry? entry, DateTimeOffset now, bool heldByL1, out RecordLookup result, ref CacheEntry? fallback, ref int expired)
    {
        result = default;
        if (entry is null)
        {
            return false;
        }

        if (now < entry.FreshUntil)
        {
            result = new RecordLookup(entry.Record, HeldByL1: heldByL1);
            return true;
        }

        if (now < entry.StaleUntil)
        {
            expired++;
            if (fallback is null || fallback.Version < entry.Version)
            {
                fallback = entry;
            }
        }

        return false;
    }
}
