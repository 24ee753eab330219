using System.Runtime.ExceptionServices;
using Resolver.Protocol.V1;

namespace Resolver.Server.Api;

/// <summary>
/// What a BulkUpsert call holds between the network and the store, bounded in bytes as well as records (issue 25 item 7:
/// 250 records of 3.9 MB once took 1,981 MB through count-only bounds). The request stream's reader waits while
/// <see cref="MaxBufferedBytes"/> of requests are buffered; the writer takes chunks that end at <see cref="MaxChunkRecords"/>
/// records or <see cref="MaxChunkBytes"/> bytes, whichever comes first. A request larger than a bound is still taken, alone,
/// so every lawful record lands; one call therefore holds at most
/// <c>max(MaxBufferedBytes, one request) + max(MaxChunkBytes, one request)</c> of request bytes, whatever the record sizes.
/// Bytes are protobuf wire bytes (<c>CalculateSize</c>), the unit <c>--max-message-bytes</c> counts in.
/// </summary>
internal sealed class BulkReadAhead(int maxChunkRecords, long maxChunkBytes, long maxBufferedBytes)
{
    /// <summary>Most records one transaction of a bulk upsert commits.</summary>
    public const int ChunkRecords = 500;

    /// <summary>Most request bytes one transaction of a bulk upsert commits (a larger record is committed alone).</summary>
    public const long ChunkBytes = 16L * 1024 * 1024;

    /// <summary>Most request bytes read ahead of the transaction in progress (a larger record is read alone).</summary>
    public const long BufferedBytes = 16L * 1024 * 1024;

    private readonly Queue<(UpsertRecordRequest Request, long Bytes)> _queue = new();
    private readonly Lock _gate = new();
    private long _bufferedBytes;
    private bool _completed;
    private Exception? _failure;
    private TaskCompletionSource _roomMade = NewSignal();
    private TaskCompletionSource _arrived = NewSignal();

    /// <summary>The bounds a BulkUpsert call uses.</summary>
    public static BulkReadAhead ForBulkUpsert() => new(ChunkRecords, ChunkBytes, BufferedBytes);

    public int MaxChunkRecords { get; } = maxChunkRecords;

    public long MaxChunkBytes { get; } = maxChunkBytes;

    public long MaxBufferedBytes { get; } = maxBufferedBytes;

    /// <summary>Request bytes buffered now.</summary>
    public long BufferedNow
    {
        get
        {
            lock (_gate)
            {
                return _bufferedBytes;
            }
        }
    }

    /// <summary>Buffers <paramref name="request"/> once there is room for it (an empty buffer always has room).</summary>
    public async ValueTask AddAsync(UpsertRecordRequest request, CancellationToken cancellationToken)
    {
        long bytes = request.CalculateSize();
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_bufferedBytes == 0 || _bufferedBytes + bytes <= MaxBufferedBytes)
                {
                    _queue.Enqueue((request, bytes));
                    _bufferedBytes += bytes;
                    Signal(ref _arrived);
                    return;
                }

                wait = _roomMade.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>No more requests will come: after the buffered ones, <see cref="TakeChunkAsync"/> ends (or throws <paramref name="failure"/>).</summary>
    public void Complete(Exception? failure = null)
    {
        lock (_gate)
        {
            _completed = true;
            _failure = failure;
            Signal(ref _arrived);
        }
    }

    /// <summary>
    /// Waits for at least one request, then moves into <paramref name="chunk"/> what has arrived, up to the chunk bounds;
    /// an identifier already in the chunk ends it, so that its second write sees its first. False when the stream ended.
    /// </summary>
    public async ValueTask<bool> TakeChunkAsync(List<UpsertRecordRequest> chunk, CancellationToken cancellationToken)
    {
        chunk.Clear();
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_queue.Count > 0)
                {
                    var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    long bytes = 0;
                    while (_queue.TryPeek(out var next)
                        && chunk.Count < MaxChunkRecords
                        && (chunk.Count == 0 || bytes + next.Bytes <= MaxChunkBytes)
                        && keys.Add(next.Request.Identifier))
                    {
                        _queue.Dequeue();
                        chunk.Add(next.Request);
                        bytes += next.Bytes;
                        _bufferedBytes -= next.Bytes;
                    }

                    Signal(ref _roomMade);
                    return true;
                }

                if (_completed)
                {
                    if (_failure is not null)
                    {
                        ExceptionDispatchInfo.Throw(_failure); // as the stream's reader saw it: a cancellation stays one
                    }

                    return false;
                }

                wait = _arrived.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Wakes whoever waits on the signal and arms a fresh one for the next wait (called under the lock).
    private static void Signal(ref TaskCompletionSource signal)
    {
        signal.TrySetResult();
        signal = NewSignal();
    }
}
