using System.Collections.Concurrent;
using Resolver.Core.Records;
using Resolver.Core.Storage;

namespace Resolver.Caching;

/// <summary>
/// One store query per key at a time: a caller that misses a key another caller is already loading waits
/// for that load instead of querying again; the keys nobody is loading go to the store in one batch.
/// </summary>
internal sealed class StoreReadCoalescer(IRecordStore store, CacheMetrics metrics)
{
    private readonly ConcurrentDictionary<string, Task<HandleRecord?>> _loading = new(StringComparer.Ordinal);

    public async Task<HandleRecord?[]> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var waits = new Task<HandleRecord?>[keys.Count];
        var mine = new List<(string Key, TaskCompletionSource<HandleRecord?> Load)>();
        for (var i = 0; i < keys.Count; i++)
        {
            var load = new TaskCompletionSource<HandleRecord?>(TaskCreationOptions.RunContinuationsAsynchronously);
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
                // Not the caller's token: other callers wait on this load. The store's own timeouts bound it.
                metrics.StoreRead();
                var records = await store.GetManyAsync([.. mine.Select(m => m.Key)], CancellationToken.None).ConfigureAwait(false);
                for (var i = 0; i < mine.Count; i++)
                {
                    mine[i].Load.SetResult(records[i]);
                }
            }
            catch (Exception exception)
            {
                foreach (var (_, load) in mine)
                {
                    load.TrySetException(exception);
                }
            }
            finally
            {
                foreach (var (key, load) in mine)
                {
                    _loading.TryRemove(new KeyValuePair<string, Task<HandleRecord?>>(key, load.Task));
                }
            }
        }

        return await Task.WhenAll(waits).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
