using System.Collections.Concurrent;
using Resolver.Core.Storage;

namespace Resolver.Caching;

/// <summary>
/// The stage that makes concurrent misses one read (SPEC §7, "one store query per key at a time"): a caller
/// that misses a key another caller is already loading waits for that load instead of asking again; the keys
/// nobody is loading go to the next stage in one batch.
/// </summary>
public sealed class MissCoalescer(IRecordSource next) : IRecordSource
{
    private readonly ConcurrentDictionary<string, Task<RecordLookup>> _loading = new(StringComparer.Ordinal);

    public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var waits = new Task<RecordLookup>[keys.Count];
        var mine = new List<(string Key, TaskCompletionSource<RecordLookup> Load)>();
        for (var i = 0; i < keys.Count; i++)
        {
            var load = new TaskCompletionSource<RecordLookup>(TaskCreationOptions.RunContinuationsAsynchronously);
            waits[i] = _loading.GetOrAdd(keys[i], load.Task);
            if (waits[i] == load.Task)
            {
                mine.Add((keys[i], load));
            }
        }

        if (mine.Count > 0)
        {
            try
            {
                // Not the caller's token: other callers wait on this load. The next stage's own timeouts bound it.
                var lookups = await next.GetManyAsync([.. mine.Select(m => m.Key)], CancellationToken.None).ConfigureAwait(false);
                for (var i = 0; i < mine.Count; i++)
                {
                    mine[i].Load.SetResult(lookups[i]);
                }
            }
            catch (Exception exception)
            {
                // A bug downstream (the contract forbids throwing for outages): every waiter sees it, none hangs.
                foreach (var (_, load) in mine)
                {
                    load.TrySetException(exception);
                }
            }
            finally
            {
                foreach (var (key, load) in mine)
                {
                    _loading.TryRemove(new KeyValuePair<string, Task<RecordLookup>>(key, load.Task));
                }
            }
        }

        return await Task.WhenAll(waits).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
