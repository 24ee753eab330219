using Resolver.Core.Records;

namespace Resolver.Core.Storage;

/// <summary>Told of every committed change, so that caches (this replica's and every other's) drop what it made old.</summary>
public interface IChangeNotifier
{
    /// <summary>A record (or tombstone) was committed; never throws: the write already succeeded.</summary>
    ValueTask RecordCommittedAsync(HandleRecord record, CancellationToken cancellationToken);

    /// <summary>The prefix table changed; never throws.</summary>
    ValueTask PrefixesChangedAsync(CancellationToken cancellationToken);

    /// <summary>Enterprises, keys or grants changed, as <paramref name="changes"/> name (one call, one announcement); never throws.</summary>
    ValueTask AccessChangedAsync(IReadOnlyList<Security.AccessChange> changes, CancellationToken cancellationToken);
}

/// <summary>For a node without caches: nothing to tell.</summary>
public sealed class NoChangeNotifier : IChangeNotifier
{
    public ValueTask RecordCommittedAsync(HandleRecord record, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask PrefixesChangedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask AccessChangedAsync(IReadOnlyList<Security.AccessChange> changes, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
