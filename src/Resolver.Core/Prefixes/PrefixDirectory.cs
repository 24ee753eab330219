namespace Resolver.Core.Prefixes;

/// <summary>
/// Serves the current <see cref="PrefixTable"/> from memory, reloading it from the store when a
/// local change invalidates it or when it is older than the refresh interval (so that changes
/// made through another replica are seen within that interval).
/// </summary>
public sealed class PrefixDirectory(IPrefixStore store, TimeProvider time) : IDisposable
{
    /// <summary>How long a snapshot is trusted before it is reloaded.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Snapshot? _snapshot;
    private long _generation;

    /// <summary>The current table.</summary>
    public async ValueTask<PrefixTable> GetTableAsync(CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (snapshot is not null && time.GetUtcNow() - snapshot.LoadedAt < RefreshInterval)
        {
            return snapshot.Table;
        }

        // One reload at a time; callers that waited use the table the first one loaded.
        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            snapshot = _snapshot;
            if (snapshot is not null && time.GetUtcNow() - snapshot.LoadedAt < RefreshInterval)
            {
                return snapshot.Table;
            }

            var generation = Interlocked.Read(ref _generation);
            var loadedAt = time.GetUtcNow();
            var table = new PrefixTable(await store.ListAsync(cancellationToken).ConfigureAwait(false));

            // A change that landed while we read may be missing from what we read: use it once, don't keep it.
            if (Interlocked.Read(ref _generation) == generation)
            {
                _snapshot = new Snapshot(table, loadedAt);
            }

            return table;
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>Drops the snapshot so the next call reloads it (after a local change).</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _snapshot = null;
    }

    public void Dispose() => _reload.Dispose();

    private sealed record Snapshot(PrefixTable Table, DateTimeOffset LoadedAt);
}
