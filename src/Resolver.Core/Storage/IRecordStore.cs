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

    /// <summary>
    /// Stores each of <paramref name="writes"/> whose compare-and-set holds, all in one transaction with their change
    /// log and audit rows; answers, aligned with <paramref name="writes"/>, which were stored (false: another write got
    /// there first, nothing stored for that one). The default writes one at a time; the real stores use one transaction.
    /// </summary>
    async ValueTask<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<RecordWrite> writes, string actor, CancellationToken cancellationToken)
    {
        var stored = new bool[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            stored[i] = await TryWriteAsync(writes[i].Record, writes[i].ExpectedVersion, writes[i].Operation, actor, cancellationToken).ConfigureAwait(false);
        }

        return stored;
    }

    /// <summary>Live records whose prefix is <paramref name="prefix"/> or lies under it, with keys after <paramref name="afterKey"/>, in key order.</summary>
    ValueTask<IReadOnlyList<HandleRecord>> ListAsync(string prefix, string? afterKey, int limit, CancellationToken cancellationToken);

    /// <summary>Succeeds when the database answers; used by health checks.</summary>
    ValueTask PingAsync(CancellationToken cancellationToken);
}

/// <summary>One compare-and-set write of a batch: store <paramref name="Record"/> if the stored version is still <paramref name="ExpectedVersion"/> (null: nothing stored yet).</summary>
public sealed record RecordWrite(HandleRecord Record, long? ExpectedVersion, ChangeOperation Operation);
