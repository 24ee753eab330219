using Resolver.Core.Errors;
using Resolver.Core.Storage;

namespace Resolver.Caching;

/// <summary>
/// The stage that makes concurrent reads of different keys one query (issue 9: unary misses coalesced into one
/// <c>= ANY()</c>): at most <see cref="ReadBatching.MaxQueries"/> reads of the next stage run at a time; a read that
/// arrives while they all run waits, and when one ends, every read waiting by then goes to the next stage together as
/// one batch (up to <see cref="ReadBatching.MaxKeysPerQuery"/> keys). No timer: an idle node reads at once, and the
/// busier the store, the larger its batches: natural batching, as a database driver pipelines. Each caller gets the
/// lookups of its own keys, in its order. When more than <see cref="ReadBatching.MaxWaitingKeys"/> keys already wait (a
/// store slower than the misses arriving), a read is answered UNAVAILABLE at once, per key, so the cache in front
/// serves what it holds stale instead of the backlog growing without bound.
/// </summary>
public sealed class ReadBatcher : IRecordSource
{
    private readonly IRecordSource _next;
    private readonly ReadBatching _settings;
    private readonly Lock _gate = new();
    private readonly Queue<WaitingRead> _waiting = new();
    private int _waitingKeys;
    private int _running;

    /// <exception cref="ArgumentOutOfRangeException">A setting below 1: every read would wait forever.</exception>
    public ReadBatcher(IRecordSource next, ReadBatching settings)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxQueries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxKeysPerQuery, 1);
        (_next, _settings) = (next, settings);
    }

    public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
    {
        var read = new WaitingRead(keys);
        List<WaitingRead>? batch = null;
        lock (_gate)
        {
            if (_waitingKeys + keys.Count > _settings.MaxWaitingKeys && _running == _settings.MaxQueries)
            {
                return Busy(keys.Count, _waitingKeys);
            }

            _waiting.Enqueue(read);
            _waitingKeys += keys.Count;
            if (_running < _settings.MaxQueries)
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
            // Neither a caller's token nor a caller's context: every read in the batch waits on this query, whoever asked
            // first. The next stage's own timeouts bound it.
            var lookups = await _next.GetManyAsync(keys, ReadContext.None, CancellationToken.None).ConfigureAwait(false);
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
        catch (Exception) when (batch.Count > 1)
        {
            // A bug downstream (the contract forbids throwing for outages), perhaps on one bad row: each read again on
            // its own, so only the callers who asked for what breaks see it.
            foreach (var read in batch)
            {
                await AnswerAsync([read]).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            batch[0].Answer.TrySetException(exception); // a read on its own: its caller sees the bug, nobody hangs
        }
    }

    private static RecordLookup[] Busy(int count, int waiting)
    {
        var busy = new RecordLookup(null, Problem: new Problem(ErrorKind.Unavailable, Reasons.StoreUnavailable,
            $"the record store is busy: {waiting} keys are already waiting for it; retry shortly"));
        return [.. Enumerable.Repeat(busy, count)];
    }

    // Called under the gate: the oldest waiting reads, whole, up to the key budget (a larger read goes alone).
    private List<WaitingRead> TakeBatch()
    {
        var batch = new List<WaitingRead> { _waiting.Dequeue() };
        var keys = batch[0].Keys.Count;
        while (_waiting.TryPeek(out var read) && keys + read.Keys.Count <= _settings.MaxKeysPerQuery)
        {
            batch.Add(_waiting.Dequeue());
            keys += read.Keys.Count;
        }

        _waitingKeys -= keys;
        return batch;
    }

    private sealed class WaitingRead(IReadOnlyList<RecordKey> keys)
    {
        public IReadOnlyList<RecordKey> Keys { get; } = keys;

        public TaskCompletionSource<IReadOnlyList<RecordLookup>> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>How <see cref="ReadBatcher"/> shapes reads of the store.</summary>
/// <param name="MaxQueries">Reads of the next stage running at once (<c>--store-max-queries</c>); more wait and go together.</param>
/// <param name="MaxKeysPerQuery">Most keys the waiting reads are merged into; one read larger than this still goes whole.</param>
public sealed record ReadBatching(int MaxQueries, int MaxKeysPerQuery = 1000)
{
    /// <summary>Most keys waiting for a query slot (16 full queries' worth); past it, reads are answered UNAVAILABLE at once.</summary>
    public int MaxWaitingKeys { get; init; } = 16 * MaxKeysPerQuery;
}
