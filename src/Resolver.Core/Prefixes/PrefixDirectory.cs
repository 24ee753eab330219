namespace Resolver.Core.Prefixes;

/// <summary>The current <see cref="PrefixTable"/>, served from memory and kept current (see <see cref="RefreshingSnapshot{T}"/>).</summary>
public sealed class PrefixDirectory(IPrefixStore store, TimeProvider time) : IDisposable
{
    private readonly RefreshingSnapshot<PrefixTable> _table =
        new(async cancellationToken => new PrefixTable(await store.ListAsync(cancellationToken).ConfigureAwait(false)), time);

    /// <summary>The current table.</summary>
    public ValueTask<PrefixTable> GetTableAsync(CancellationToken cancellationToken) => _table.GetAsync(cancellationToken);

    /// <summary>Drops the table so the next call reloads it (after a change).</summary>
    public void Invalidate() => _table.Invalidate();

    public void Dispose() => _table.Dispose();
}
