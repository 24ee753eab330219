namespace Resolver.Core.Storage;

/// <summary>One committed write as the store's change log recorded it.</summary>
/// <param name="Sequence">The log's sequence number: unique and increasing, but with gaps, and (on PostgreSQL) not committed in order.</param>
/// <param name="Key">The record's key.</param>
/// <param name="Version">The record's version after the write.</param>
/// <param name="Operation">What the write did.</param>
/// <param name="At">When the write happened (the record's update time).</param>
public sealed record Change(long Sequence, string Key, long Version, ChangeOperation Operation, DateTimeOffset At);

/// <summary>
/// The store's durable log of committed record writes (the <c>changes</c> table, written in the same
/// transaction as each write). Implementations throw <see cref="Errors.ResolverException"/> (UNAVAILABLE)
/// when the database cannot be reached.
/// </summary>
public interface IChangeLog
{
    /// <summary>The highest sequence number committed so far; 0 for an empty log.</summary>
    ValueTask<long> LatestSequenceAsync(CancellationToken cancellationToken);

    /// <summary>
    /// At most <paramref name="limit"/> changes with <paramref name="afterSequence"/> &lt; sequence &lt;
    /// <paramref name="beforeSequence"/>, in sequence order (pass <see cref="long.MaxValue"/> for no upper end).
    /// </summary>
    ValueTask<IReadOnlyList<Change>> ReadAsync(long afterSequence, long beforeSequence, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The highest sequence number pruned so far (0 when nothing was): a reader positioned before it may have missed
    /// changes the log no longer keeps and must read the records again (Watch's "resync-needed").
    /// </summary>
    ValueTask<long> PrunedThroughAsync(CancellationToken cancellationToken) => ValueTask.FromResult(0L);

    /// <summary>
    /// Deletes at most <paramref name="limit"/> of the oldest changes committed before <paramref name="before"/>, in one
    /// short transaction that also raises <see cref="PrunedThroughAsync"/>; returns how many it deleted (0: nothing left to prune).
    /// </summary>
    ValueTask<int> PruneAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) => ValueTask.FromResult(0);
}

/// <summary>Told of every committed change the <see cref="ChangeFeed"/> reads, once each, in the order it reads them.</summary>
public interface IChangeSubscriber
{
    /// <summary>
    /// Called on the feed's loop with changes in sequence order (a late-committed change that filled a gap
    /// may follow higher sequence numbers); must return quickly and not throw.
    /// </summary>
    void OnChanges(IReadOnlyList<Change> changes);
}
