using Resolver.Core.Records;
using Resolver.Core.Storage;

namespace Resolver.Core.Tests.Registry;

/// <summary>Records in memory with the store's compare-and-set, for unit tests of the write path without I/O.</summary>
public sealed class InMemoryRecordStore : IRecordStore
{
    private readonly Dictionary<string, HandleRecord> _records = new(StringComparer.Ordinal);

    /// <summary>Every committed write, in order, as the change log would have it.</summary>
    public List<(HandleRecord Record, ChangeOperation Operation, string Actor)> Committed { get; } = [];

    public ValueTask<IReadOnlyList<HandleRecord?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            return ValueTask.FromResult<IReadOnlyList<HandleRecord?>>([.. keys.Select(k => _records.GetValueOrDefault(k))]);
        }
    }

    public async ValueTask<HandleRecord?> GetAsync(string key, CancellationToken cancellationToken) =>
        (await GetManyAsync([key], cancellationToken))[0];

    public ValueTask<bool> TryWriteAsync(HandleRecord record, long? expectedVersion, ChangeOperation operation, string actor, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            if (_records.GetValueOrDefault(record.Key)?.Version != expectedVersion)
            {
                return ValueTask.FromResult(false);
            }

            _records[record.Key] = record;
            Committed.Add((record, operation, actor));
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<IReadOnlyList<HandleRecord>> ListAsync(string prefix, string? afterKey, int limit, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the write path never lists");

    public ValueTask PingAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
