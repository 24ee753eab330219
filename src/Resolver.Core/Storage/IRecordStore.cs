using Resolver.Core.Records;

namespace Resolver.Core.Storage;

/// <summary>Durable storage of records. Implementations throw <see cref="Errors.ResolverException"/> (UNAVAILABLE) when the database cannot be reached.</summary>
public interface IRecordStore
{
    /// <summary>The records (tombstones included) for <paramref name="keys"/>, aligned with them; null where none exists.</summary>
    ValueTask<IReadOnlyList<HandleRecord?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>The record (or tombstone) stored under <paramref name="key"/>, or null.</summary>
    ValueTask<HandleRecord?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="record"/> if the stored version is still <paramref name="expectedVersion"/>
    /// (null: nothing may be stored under the key yet), and appends the change to the change log and to
    /// the audit log (by <paramref name="actor"/>) in the same transaction. Returns false, writing
    /// nothing, when another write got there first.
    /// </summary>
    ValueTask<bool> TryWriteAsync(HandleRecord record, long? expectedVersion, ChangeOperation operation, string actor, CancellationToken cancellationToken);

    /// <summary>Live records whose prefix is <paramref name="prefix"/> or lies under it, with keys after <paramref name="afterKey"/>, in key order.</summary>
    ValueTask<IReadOnlyList<HandleRecord>> ListAsync(string prefix, string? afterKey, int limit, CancellationToken cancellationToken);

    /// <summary>Succeeds when the database answers; used by health checks.</summary>
    ValueTask PingAsync(CancellationToken cancellationToken);
}
