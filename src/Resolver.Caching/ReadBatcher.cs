using Resolver.Core.Storage;

namespace Resolver.Caching;

/// <summary>
/// The stage that makes concurrent reads of different keys one query (issue 9: unary misses coalesced into one
/// <c>= ANY()</c>): at most <see cref="ReadBatching.MaxQueries"/> reads of the next stage run at a time; a read that
/// arrives while they all run waits, and when one ends, every read waiting by then goes to the next stage together as
/// one batch (up to <see cref="ReadBatching.MaxKeysPerQuery"/> keys). No timer: an idle node reads at once, and the
/// busier the store, the larger its batches: natural batching, as a database driver pipelines. Each caller gets the
/// lookups of its own keys, in its order.
/// </summary>
public sealed class ReadBatcher(IRecordSource next, ReadBatching settings) : IRecordSource
{
    private readonly Lock _gate = new();
    private readonly Queue<WaitingRead> _waiting = new();
    private int _running;

    public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var read = new WaitingRead(keys);
        List<WaitingRead>? batch = null;
        lock (_gate)
        {
            _waiting.Enqueue(read);
            if (_running < settings.MaxQueries)
            {
                _running++;
                batch = TakeBatch();
            }
        }

        if (batch is not null)
        {
            // On the thread pool, not inline: a store whose async reads complete synchronously (SQLite) would otherwise
            // keep this caller serving every read that queues behind it before it could answer its own.
            _ = Task.Run(() => QueryAsync(batch), CancellationToken.None);
        }

        // The query goes on if this caller gives up: the keys of others may ride in it.
        return await read.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    // Runs one batch, then the reads that waited meanwhile, until none wait: the query slot passes from batch to batch.
    private async Task QueryAsync(List<WaitingRead> batch)
    {
        while (true)
        {
            await AnswerAsync(batch).ConfigureAwait(false);
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _running--;
                    return;
                }

                batch = TakeBatch();
            }
        }
    }

    private async Task AnswerAsync(List<WaitingRead> batch)
    {
        var keys = batch.Count == 1 ? batch[0].Keys : [.. batch.SelectMany(r => r.Keys)];
        try
        {
            // Not a caller's token: every read in the batch waits on this query. The next stage's own timeouts bound it.
            var lookups = await next.GetManyAsync(keys, CancellationToken.None).ConfigureAwait(false);
            if (batch.Count == 1)
            {
                batch[0].Answer.SetResult(lookups);
                return;
            }

            var all = lookups as RecordLookup[] ?? [.. lookups];
            var offset = 0;
            foreach (var read in batch)
            {
                read.Answer.SetResult(new ArraySegment<RecordLookup>(all, offset, read.Keys.Count));
                offset += read.Keys.Count;
            }
        }
        catch (Exception exception)
        {
            // A bug downstream (the contract forbids throwing for outages): every read in the batch sees it, none hangs.
            foreach (var read in batch)
            {
                read.Answer.TrySetException(exception);
            }
        }
    }

    // Called under the gate: the oldest waiting reads, whole, up to the key budget (a larger read goes alone).
    private List<WaitingRead> TakeBatch()
    {
        var batch = new List<WaitingRead> { _waiting.Dequeue() };
        var keys = batch[0].Keys.Count;
        while (_waiting.TryPeek(out var read) && keys + read.Keys.Count <= settings.MaxKeysPerQuery)
        {
            batch.Add(_waiting.Dequeue());
            keys += read.Keys.Count;
        }

        return batch;
    }

    private sealed class WaitingRead(IReadOnlyList<string> keys)
    {
        public IReadOnlyList<string> Keys { get; } = keys;

        public TaskCompletionSource<IReadOnlyList<RecordLookup>> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>How <see cref="ReadBatcher"/> shapes reads of the store.</summary>
/// <param name="MaxQueries">Reads of the next stage running at once (<c>--store-max-queries</c>); more wait and go together.</param>
/// <param name="MaxKeysPerQuery">Most keys the waiting reads are merged into; one read larger than this still goes whole.</param>
public sealed record ReadBatching(int MaxQueries, int MaxKeysPerQuery = 1000);
