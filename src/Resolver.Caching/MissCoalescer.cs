using System.Collections.Concurrent;
using Resolver.Core.Errors;
using Resolver.Core.Storage;

namespace Resolver.Caching;

/// <summary>
/// The stage that makes concurrent misses one read (SPEC §7, "one store query per key at a time"): a caller
/// that misses a key another caller is already loading waits for that load instead of asking again; the keys
/// nobody is loading go to the next stage in one batch. A load carries the context of the caller that started it,
/// so a site is given that caller's deadline and hops; a caller who waited on it is not failed by what was the starter's
/// alone: a load that ran out of its starter's deadline, or past the hop limit with the starter's hops, is asked again for
/// the callers whose own deadline is later or whose hops are fewer.
/// </summary>
public sealed class MissCoalescer(IRecordSource next, TimeProvider time) : IRecordSource
{
    // A caller whose loads keep ending at shorter deadlines than its own asks again at most this often, then gets the answer.
    private const int MaxRetries = 3;

    private readonly ConcurrentDictionary<string, Load> _loading = new(StringComparer.Ordinal);

    public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
    {
        var (results, loads) = await LoadAsync(keys, context, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < MaxRetries && OutlivedLoads(results, loads, context) is { Count: > 0 } again; attempt++)
        {
            var (retried, retriedLoads) = await LoadAsync([.. again.Select(i => keys[i])], context, cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < again.Count; j++)
            {
                (results[again[j]], loads[again[j]]) = (retried[j], retriedLoads[j]);
            }
        }

        return results;
    }

    // The lookups, and the context each one's load was started with.
    private async Task<(RecordLookup[] Lookups, ReadContext[] Loads)> LoadAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
    {
        var waits = new Task<RecordLookup>[keys.Count];
        var started = new ReadContext[keys.Count];
        var mine = new List<(RecordKey Key, Load Load)>();
        for (var i = 0; i < keys.Count; i++)
        {
            var load = new Load(context);
            var current = _loading.GetOrAdd(keys[i].CacheKey, load);
            (waits[i], started[i]) = (current.Answer.Task, current.Context);
            if (current == load)
            {
                mine.Add((keys[i], load));
            }
        }

        if (mine.Count > 0)
        {
            try
            {
                // Not the caller's token: other callers wait on this load. The next stage's own timeouts bound it.
                var lookups = await next.GetManyAsync([.. mine.Select(m => m.Key)], context, CancellationToken.None).ConfigureAwait(false);
                for (var i = 0; i < mine.Count; i++)
                {
                    mine[i].Load.Answer.SetResult(lookups[i]);
                }
            }
            catch (Exception exception)
            {
                // A bug downstream (the contract forbids throwing for outages): every waiter sees it, none hangs.
                foreach (var (_, load) in mine)
                {
                    load.Answer.TrySetException(exception);
                }
            }
            finally
            {
                foreach (var (key, load) in mine)
                {
                    _loading.TryRemove(new KeyValuePair<string, Load>(key.CacheKey, load));
                }
            }
        }

        return (await Task.WhenAll(waits).WaitAsync(cancellationToken).ConfigureAwait(false), started);
    }

    // The keys whose answer was the starter's alone: "the deadline passed" for a load started with an earlier deadline than
    // this caller's, which still has time, or "too many hops" for a load started with more hops than this caller's.
    private List<int>? OutlivedLoads(RecordLookup[] results, ReadContext[] loads, ReadContext context)
    {
        List<int>? again = null;
        var now = time.GetUtcNow().UtcDateTime;
        if (context.Deadline is { } own && own <= now)
        {
            return null;
        }

        for (var i = 0; i < results.Length; i++)
        {
            var deadlineWasTheirs = results[i].Problem is { Kind: ErrorKind.DeadlineExceeded } && loads[i].Deadline is { } theirs && (context.Deadline is not { } mine || mine > theirs);
            var hopsWereTheirs = results[i].Problem is { Reason: Reasons.DelegationChainTooLong } && loads[i].Hops > context.Hops;
            if (deadlineWasTheirs || hopsWereTheirs)
            {
                (again ??= []).Add(i);
            }
        }

        return again;
    }

    private sealed class Load(ReadContext context)
    {
        public ReadContext Context { get; } = context;

        public TaskCompletionSource<RecordLookup> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
