namespace Resolver.Core;

/// <summary>
/// A value loaded from the store and served from memory, one load at a time. When it is older than
/// <see cref="RefreshInterval"/> it is still served while a reload runs behind the caller, so a slow or silent store
/// never holds a request up. After <see cref="Invalidate"/> (a local change, or another replica's announcement) the
/// next call waits for the reload, so a change is seen at once — but at most <see cref="InvalidatedWait"/> when a
/// value was loaded before. While the store is unavailable the last value loaded is served, and reloading is retried
/// once per interval.
/// </summary>
public sealed class RefreshingSnapshot<T>(Func<CancellationToken, ValueTask<T>> load, TimeProvider time) : IDisposable
    where T : class
{
    /// <summary>How long a loaded value is trusted before it is reloaded (the bound without invalidations).</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(5);

    /// <summary>The longest a call waits for the reload after an invalidation before it takes the last value loaded.</summary>
    public static readonly TimeSpan InvalidatedWait = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private volatile Loaded? _loaded;
    private volatile Loaded? _lastGood;
    private Task<T>? _loading;
    private long _loadingGeneration = -1;
    private long _generation;
    private List<Func<T, T>>? _sinceLoadStarted;

    /// <summary>The current value.</summary>
    public async ValueTask<T> GetAsync(CancellationToken cancellationToken)
    {
        var loaded = _loaded;
        if (loaded is not null && time.GetUtcNow() - loaded.At < RefreshInterval)
        {
            return loaded.Value;
        }

        if (loaded is not null)
        {
            // Only time made it old: serve it and reload behind the caller.
            _ = ObserveAsync(LoadOnce());
            return loaded.Value;
        }

        var generation = Interlocked.Read(ref _generation);
        var reload = LoadOnce();
        if (_lastGood is not { } lastGood)
        {
            return await reload.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await reload.WaitAsync(InvalidatedWait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException || exception is Errors.ResolverException { Problem.Kind: Errors.ErrorKind.Unavailable })
        {
            // The store is slow or down: what we last knew beats waiting (resolution must outlive a store outage).
            // Only the first caller waits: the others take the last good value until the reload lands. Read it again
            // under the lock: a change applied while we waited (Update) is in the newer one.
            lock (_gate)
            {
                lastGood = _lastGood ?? lastGood;
                if (Interlocked.Read(ref _generation) == generation)
                {
                    _loaded ??= new Loaded(lastGood.Value, time.GetUtcNow());
                }
            }

            _ = ObserveAsync(reload);
            return lastGood.Value;
        }
    }

    /// <summary>Drops the value so the next call reloads it.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            _loaded = null;
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the value in memory at once, without reloading: the value keeps its age, so
    /// the periodic reload still comes. A reload that started before the change may have read the store before it
    /// committed: the change is applied to what it loaded too. <paramref name="change"/> must be idempotent (set a row to
    /// what the store holds now), as it may meet a value that has it already.
    /// </summary>
    public void Update(Func<T, T> change)
    {
        lock (_gate)
        {
            var loaded = _loaded;
            var lastGood = _lastGood;
            if (loaded is not null)
            {
                _loaded = loaded with { Value = change(loaded.Value) };
            }

            if (lastGood is not null)
            {
                _lastGood = loaded is not null && ReferenceEquals(lastGood.Value, loaded.Value) ? lastGood with { Value = _loaded!.Value } : lastGood with { Value = change(lastGood.Value) };
            }

            _sinceLoadStarted?.Add(change);
        }
    }

    public void Dispose()
    {
    }

    // One load at a time: callers that come while it runs share it — unless a change came after it started, then a
    // new load follows it, so that whoever made the change reads it.
    private Task<T> LoadOnce()
    {
        lock (_gate)
        {
            // A load that landed since the caller found the value old (between its read and this lock): use it rather
            // than read the store again.
            if (_loaded is { } landed && time.GetUtcNow() - landed.At < RefreshInterval)
            {
                return Task.FromResult(landed.Value);
            }

            var generation = Interlocked.Read(ref _generation);
            if (_loading is null || _loadingGeneration != generation)
            {
                _loadingGeneration = generation;
                _loading = LoadAsync(_loading, generation);
            }

            return _loading;
        }
    }

    private async Task<T> LoadAsync(Task<T>? previous, long generation)
    {
        await Task.Yield(); // outside the lock, and never inline in the caller that only wanted the old value
        if (previous is not null)
        {
            await ObserveAsync(previous).ConfigureAwait(false);
        }

        var loadedAt = time.GetUtcNow();
        lock (_gate)
        {
            _sinceLoadStarted = [];
        }

        try
        {
            var value = await load(CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                // Changes applied in memory while we read may be missing from what we read: apply them again.
                foreach (var change in _sinceLoadStarted ?? [])
                {
                    value = change(value);
                }

                _sinceLoadStarted = null;

                // A change that landed while we read may be missing from what we read: use it once, don't keep it.
                if (Interlocked.Read(ref _generation) == generation)
                {
                    _loaded = new Loaded(value, loadedAt);
                }

                _lastGood = new Loaded(value, loadedAt);
            }

            return value;
        }
        catch (Errors.ResolverException exception) when (exception.Problem.Kind == Errors.ErrorKind.Unavailable && _lastGood is not null)
        {
            // Keep serving what we last knew, and try again only after another interval rather than on every call.
            lock (_gate)
            {
                if (Interlocked.Read(ref _generation) == generation && _lastGood is { } lastGood)
                {
                    _loaded = new Loaded(lastGood.Value, loadedAt);
                }
            }

            throw;
        }
        finally
        {
            lock (_gate)
            {
                _sinceLoadStarted = null;
                if (_loadingGeneration == generation)
                {
                    _loading = null;
                }
            }
        }
    }

    private static async Task ObserveAsync(Task<T> load)
    {
        try
        {
            await load.ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is Errors.ResolverException or OperationCanceledException or TimeoutException)
        {
            // A background reload that failed: the next due call tries again.
        }
    }

    private sealed record Loaded(T Value, DateTimeOffset At);
}
