using Resolver.Core.Records;

namespace Resolver.Core.Storage;

/// <summary>
/// Where the resolution path reads records: the store itself, or a cache tier in front of it.
/// Batch-first so that every tier can answer many keys in one round trip.
/// </summary>
public interface IRecordSource
{
    /// <summary>The records (tombstones included) for <paramref name="keys"/>, aligned with them; null where none exists.</summary>
    ValueTask<IReadOnlyList<HandleRecord?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);
}
