namespace Resolver.Core.Storage;

/// <summary>
/// A stage of the resolution chain (<see cref="Resolution.RecordSourceChain"/>): answers record lookups itself
/// or asks the next stage, which it knows only through this contract — a cache fronts whatever comes after it,
/// the local store or, later, another node. Batch-first so that every stage can answer many keys in one round trip.
/// </summary>
public interface IRecordSource
{
    /// <summary>
    /// One lookup per key, aligned with <paramref name="keys"/> (canonical identifier keys). Never throws for an
    /// unreachable source: that is a per-key <see cref="RecordLookup.Problem"/> (UNAVAILABLE), so a stage in
    /// front can answer stale instead.
    /// </summary>
    ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);
}
