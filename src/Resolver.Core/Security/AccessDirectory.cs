using Resolver.Core.Errors;

namespace Resolver.Core.Security;

/// <summary>
/// The current <see cref="AccessSnapshot"/>, served from memory and kept current (see <see cref="RefreshingSnapshot{T}"/>).
/// A change made here or announced by another replica is applied by re-reading only the rows it names
/// (<see cref="ApplyAsync"/>); the whole tables are read at start, once per refresh interval as a safety net for lost
/// announcements, and after <see cref="Invalidate"/> — never once per change, so a burst of key creations costs one
/// row read each, not a reload of every key.
/// </summary>
public sealed class AccessDirectory : IDisposable
{
    private readonly IAccessStore _store;
    private readonly RefreshingSnapshot<AccessSnapshot> _access;

    // Reads and applications one at a time, in order: two reads of one key (live, then revoked) must not be applied the
    // other way round.
    private readonly SemaphoreSlim _applying = new(1, 1);
    private long _fullLoads;

    public AccessDirectory(IAccessStore store, TimeProvider time)
    {
        _store = store;
        _access = new(LoadAllAsync, time);
    }

    /// <summary>How many times the whole tables were read (for tests: a change must not add one).</summary>
    internal long FullLoads => Interlocked.Read(ref _fullLoads);

    public ValueTask<AccessSnapshot> GetAsync(CancellationToken cancellationToken) => _access.GetAsync(cancellationToken);

    /// <summary>
    /// Brings <paramref name="change"/>, committed in the store, into memory by reading the rows it names. When they
    /// cannot be read (the store is down) the snapshot is invalidated instead, so that the next call reloads it.
    /// </summary>
    public async ValueTask ApplyAsync(AccessChange change, CancellationToken cancellationToken)
    {
        await _applying.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Func<AccessSnapshot, AccessSnapshot> apply;
            switch (change.Kind)
            {
                case AccessChangeKind.Key:
                    var key = await _store.GetKeyAsync(change.Subject, cancellationToken).ConfigureAwait(false);
                    apply = snapshot => snapshot.WithKey(change.Subject, key);
                    break;
                case AccessChangeKind.Enterprise:
                    var enterprise = await _store.GetEnterpriseAsync(change.Subject, cancellationToken).ConfigureAwait(false);
                    apply = snapshot => snapshot.WithEnterprise(change.Subject, enterprise);
                    break;
                default:
                    var grants = await _store.ListGrantsToAsync(change.Subject, cancellationToken).ConfigureAwait(false);
                    apply = snapshot => snapshot.WithGrantsTo(change.Subject, grants);
                    break;
            }

            _access.Update(apply);
        }
        catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
        {
            _access.Invalidate();
        }
        finally
        {
            _applying.Release();
        }
    }

    /// <summary>Another replica announced <paramref name="changes"/> (null: unknown ones, reload everything); applied in the background.</summary>
    public void Announced(IReadOnlyList<AccessChange>? changes)
    {
        if (changes is null)
        {
            Invalidate();
            return;
        }

        _ = ApplyInBackgroundAsync(changes);
    }

    /// <summary>Drops the snapshot so the next call reloads it whole (an announcement may have been missed).</summary>
    public void Invalidate() => _access.Invalidate();

    public void Dispose()
    {
        _access.Dispose();
        _applying.Dispose();
    }

    private async Task ApplyInBackgroundAsync(IReadOnlyList<AccessChange> changes)
    {
        try
        {
            foreach (var change in changes)
            {
                await ApplyAsync(change, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (ResolverException)
        {
            // Whatever went wrong reading the rows, the whole tables are read again on the next call.
            Invalidate();
        }
    }

    private async ValueTask<AccessSnapshot> LoadAllAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fullLoads);
        return new AccessSnapshot(
            await _store.ListEnterprisesAsync(cancellationToken).ConfigureAwait(false),
            await _store.ListLiveKeysAsync(cancellationToken).ConfigureAwait(false),
            await _store.ListGrantsAsync(cancellationToken).ConfigureAwait(false));
    }
}
