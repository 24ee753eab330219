using System.Collections.Concurrent;
using Resolver.Core.Errors;
using Resolver.Core.Storage;

namespace Resolver.Caching;

/// <summary>
/// The stage that makes concurrent misses one read (SPEC §7, "one store query per key at a time"): a caller
/// that misses a key another caller is already loading waits for that load instead of asking again; the keys
/// nobody is loading go to the next stage in one batch. A load carries the context of the caller that started it,
/// so a site is given that caller's deadline; a caller who waited on it and has more time left is not failed by it: a
/// load that ran out of its starter's deadline is asked again for the callers whose own deadline is later.
/// </summary>
public sealed class MissCoalescer(IRecordSource next, TimeProvider time) : IRecordSource
{
    // A caller whose loads keep ending at shorter deadlines than its own asks again at most this often, then gets the answer.
    private const int MaxRetries = 3;

    private readonly ConcurrentDictionary<string, Load> _loading = new(StringComparer.Ordinal);

    public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
    {
        var (results, loadDeadlines) = await LoadAsync(keys, context, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < MaxRetries && OutlivedLoads(results, loadDeadlines, context) is { Count: > 0 } again; attempt++)
        {
            var (retried, retriedDeadlines) = await LoadAsync([.. again.Select(i => keys[i])], context, cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < again.Count; j++)
            {
                (results[again[j]], loadDeadlines[again[j]]) = (retried[j], retriedDeadlines[j]);
            }
        }

        return results;
    }

    // The lookups, and the deadline each one's load was started with.
    private async Task<(RecordLookup[] Lookups, DateTime?[] LoadDeadlines)> LoadAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
    {
        var waits = new Task<RecordLookup>[keys.Count];
        var deadlines = new DateTime?[keys.Count];
        var mine = new List<(RecordKey Key, Load Load)>();
        for (var i = 0; i < keys.Count; i++)
        {
            var load = new Load(context.Deadline);
            var current = _loading.GetOrAdd(keys[i].CacheKey, load);
            (waits[i], deadlines[i]) = (current.Answer.Task, current.Deadline);
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

        return (await Task.WhenAll(waits).WaitAsync(cancellationToken).ConfigureAwait(false), deadlines);
    }

    // The keys whose answer is "the deadline passed" for a load started with an earlier deadline than this caller's,
    // which still has time: theirs to ask again.
    private List<int>? OutlivedLoads(RecordLookup[] results, DateTime?[] loadDeadlines, ReadContext context)
    {
        List<int>? again = null;
        var now = time.GetUtcNow().UtcDateTime;
        if (context.Deadline is { } own && own <= now)
        {
            return null;
        }

        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Problem is { Kind: ErrorKind.DeadlineExceeded } && loadDeadlines[i] is { } theirs && (context.Deadline is not { } mine || mine > theirs))
            {
                (again ??= []).Add(i);
            }
        }

        return again;
    }

    private sealed class Load(DateTime? deadline)
    {
        public DateTime? Deadline { get; } = deadline;

        public TaskCompletionSource<RecordLookup> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
