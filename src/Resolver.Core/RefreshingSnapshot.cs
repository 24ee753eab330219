namespace Resolver.Core;

/// <summary>
/// A value loaded from the store and served from memory: reloaded when invalidated (after a local change
/// or another replica's announcement) or when older than <see cref="RefreshInterval"/>, one load at a time.
/// While the store is unavailable the last value loaded is served, and reloading is retried once per interval.
/// </summary>
public sealed class RefreshingSnapshot<T>(Func<CancellationToken, ValueTask<T>> load, TimeProvider time) : IDisposable
    where T : class
{
    /// <summary>How long a loaded value is trusted before it is reloaded (the bound without invalidations).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Loaded? _loaded;
    private volatile Loaded? _lastGood;
    private long _generation;

    /// <summary>The current value.</summary>
    public async ValueTask<T> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } value)
        {
            return value;
        }

        // One reload at a time; callers that waited use the value the first one loaded.
        await _reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } loadedMeanwhile)
            {
                return loadedMeanwhile;
            }

            var generation = Interlocked.Read(ref _generation);
            var loadedAt = time.GetUtcNow();
            T loaded;
            try
            {
                loaded = await load(cancellationToken).ConfigureAwait(false);
            }
            catch (Errors.ResolverException exception) when (exception.Problem.Kind == Errors.ErrorKind.Unavailable && _lastGood is { } lastGood)
            {
                // The store is down: keep serving what we last knew (resolution must outlive a store outage),
                // and try again only after another interval rather than on every call.
                _loaded = new Loaded(lastGood.Value, loadedAt);
                return lastGood.Value;
            }

            // A change that landed while we read may be missing from what we read: use it once, don't keep it.
            if (Interlocked.Read(ref _generation) == generation)
            {
                _loaded = new Loaded(loaded, loadedAt);
            }

            _lastGood = new Loaded(loaded, loadedAt);
            return loaded;
        }
        finally
        {
            _reload.Release();
        }
    }

    /// <summary>Drops the value so the next call reloads it.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _loaded = null;
    }

    public void Dispose() => _reload.Dispose();

    private T? Fresh() => _loaded is { } loaded && time.GetUtcNow() - loaded.At < RefreshInterval ? loaded.Value : null;

    private sealed record Loaded(T Value, DateTimeOffset At);
}
