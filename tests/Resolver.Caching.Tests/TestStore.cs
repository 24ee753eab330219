using Resolver.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Errors;
using Resolver.Core.Records;
using Resolver.Core.Storage;

namespace Resolver.Caching.Tests;

/// <summary>An in-memory record store for unit tests of the cache logic, with the faults a real store can't be told to produce on cue.</summary>
internal sealed class TestStore : IRecordStore
{
    private readonly Dictionary<string, HandleRecord> _records = new(StringComparer.Ordinal);

    public int Reads { get; private set; }

    /// <summary>When set, every call fails as an unreachable database does.</summary>
    public bool Down { get; set; }

    /// <summary>When set, reads wait for it (to hold loads in flight).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public void Put(HandleRecord record) => _records[record.Key] = record;

    public async ValueTask<IReadOnlyList<HandleRecord?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        Reads++;
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        ThrowIfDown();
        return [.. keys.Select(k => _records.GetValueOrDefault(k))];
    }

    public async ValueTask<HandleRecord?> GetAsync(string key, CancellationToken cancellationToken) => (await GetManyAsync([key], cancellationToken))[0];

    public ValueTask<bool> TryWriteAsync(HandleRecord record, long? expectedVersion, ChangeOperation operation, string actor, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public ValueTask<IReadOnlyList<HandleRecord>> ListAsync(string prefix, string? afterKey, int limit, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public ValueTask PingAsync(CancellationToken cancellationToken)
    {
        ThrowIfDown();
        return ValueTask.CompletedTask;
    }

    private void ThrowIfDown()
    {
        if (Down)
        {
            throw new ResolverException(new Problem(ErrorKind.Unavailable, Reasons.StoreUnavailable, "the record store is unavailable"));
        }
    }
}

/// <summary>Builds cache tiers over a <see cref="TestStore"/> on a fake clock.</summary>
internal static class CacheHarness
{
    public static readonly DateTimeOffset Start = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    public static HandleRecord Record(string key, long version, int ttl = 60, string data = "x") =>
        new(key, key, version, [new HandleValue(1, "URL", ValueData.FromText(data), ttl, Start, ValuePermissions.Default, [])], Start, Start);

    public static CacheTiers Tiers(CacheOptions options, TimeProvider time, string? redis = null) =>
        CacheTiers.Start(options with { Redis = redis }, () => { }, _ => { }, new CacheMetrics(new TestMeterFactory()), time, NullLogger<CacheTiers>.Instance);
}
