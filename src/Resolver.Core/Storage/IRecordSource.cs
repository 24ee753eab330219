namespace Resolver.Core.Storage;

/// <summary>
/// Where the resolution path reads records: the store itself, or the cache tiers in front of it.
/// Batch-first so that every tier can answer many keys in one round trip.
/// </summary>
public interface IRecordSource
{
    /// <summary>One lookup per key, aligned with <paramref name="keys"/>; never throws for an unreachable store (that is a per-key problem).</summary>
    ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);
}
