using Microsoft.Extensions.Options;
using Resolver.Server.Configuration;

namespace Resolver.Server.Api;

/// <summary>
/// The BulkUpsert streams a node runs at once (<c>--max-bulk-streams</c>): each may hold 64 MiB of requests
/// (<see cref="BulkReadAhead"/>), and the GC heap's hard limit (<see cref="HeapLimit"/>) counts that many, so more imports
/// than it allows could end the node with "Out of memory". Further streams wait for a slot, reading nothing meanwhile.
/// </summary>
internal sealed class BulkStreamSlots(IOptions<LimitOptions> limits) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(limits.Value.MaxBulkStreams, limits.Value.MaxBulkStreams);
    private int _waiting;

    /// <summary>Streams waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Waits for a slot; disposing the answer gives it back.</summary>
    /// <exception cref="OperationCanceledException">The call ended, or the node drains, before a slot was free.</exception>
    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        return new Slot(_slots);
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
