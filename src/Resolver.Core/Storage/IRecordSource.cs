namespace Resolver.Core.Storage;

/// <summary>
/// A stage of the resolution chain (<see cref="Resolution.RecordSourceChain"/>): answers record lookups itself
/// or asks the next stage, which it knows only through this contract — a cache fronts whatever comes after it,
/// the local store or another node. Batch-first so that every stage can answer many keys in one round trip.
/// </summary>
public interface IRecordSource
{
    /// <summary>
    /// One lookup per key, aligned with <paramref name="keys"/> (canonical identifier keys, with the authority of those
    /// another node serves). Never throws for an unreachable source: that is a per-key
    /// <see cref="RecordLookup.Problem"/> (UNAVAILABLE), so a stage in front can answer stale instead.
    /// </summary>
    /// <param name="keys">The keys, each once.</param>
    /// <param name="context">The call's deadline and hops; a stage that merges several callers' reads passes on its own.</param>
    /// <param name="cancellationToken">The caller's cancellation; stages whose reads are shared do not pass it on.</param>
    ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken);
}
