namespace Resolver.Core.Security;

/// <summary>The current <see cref="AccessSnapshot"/>, served from memory and kept current (see <see cref="RefreshingSnapshot{T}"/>).</summary>
public sealed class AccessDirectory(IAccessStore store, TimeProvider time) : IDisposable
{
    private readonly RefreshingSnapshot<AccessSnapshot> _access = new(
        async cancellationToken => new AccessSnapshot(
            await store.ListEnterprisesAsync(cancellationToken).ConfigureAwait(false),
            await store.ListKeysAsync(cancellationToken).ConfigureAwait(false),
            await store.ListGrantsAsync(cancellationToken).ConfigureAwait(false)),
        time);

    public ValueTask<AccessSnapshot> GetAsync(CancellationToken cancellationToken) => _access.GetAsync(cancellationToken);

    /// <summary>Drops the snapshot so the next call reloads it (after a change).</summary>
    public void Invalidate() => _access.Invalidate();

    public void Dispose() => _access.Dispose();
}
