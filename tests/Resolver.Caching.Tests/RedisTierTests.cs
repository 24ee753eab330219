using Resolver.Core.Storage;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using Resolver.Testing;

namespace Resolver.Caching.Tests;

/// <summary>The L2 against a real redis-server on loopback.</summary>
public sealed class RedisTierTests : IAsyncLifetime
{
    private static readonly CacheOptions Options = new() { L1UnsyncedTtl = TimeSpan.FromSeconds(1) };
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private RedisServer _redis = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _redis = await RedisServer.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    private CacheEntry Entry(string key, long version) => CacheEntry.For(CacheHarness.Record(key, version), _time.GetUtcNow(), Options);

    [Fact]
    public async Task Fill_OlderVersionAfterAWritesAnnouncement_NeverReplacesTheNewer()
    {
        await using var tiers = CacheHarness.Tiers(Options, _time, _redis.Configuration);
        var redis = tiers.Redis!;

        // The race, made deterministic: a reader loaded version 1 before the write; the write commits
        // version 2 and announces it; then the reader's fill of version 1 arrives.
        await redis.AnnounceAsync("88.1/a", Entry("88.1/a", 2), _time.GetUtcNow());
        await redis.FillAsync([("88.1/a", Entry("88.1/a", 1))], _time.GetUtcNow());

        var stored = await redis.GetManyAsync(["88.1/a"]);
        Assert.Equal(2, stored![0]!.Version);
    }

    [Fact]
    public async Task Fill_NewerVersion_Replaces()
    {
        await using var tiers = CacheHarness.Tiers(Options, _time, _redis.Configuration);

        await tiers.Redis!.FillAsync([("88.1/a", Entry("88.1/a", 1))], _time.GetUtcNow());
        await tiers.Redis.FillAsync([("88.1/a", Entry("88.1/a", 3))], _time.GetUtcNow());

        Assert.Equal(3, (await tiers.Redis.GetManyAsync(["88.1/a"]))![0]!.Version);
    }

    [Fact]
    public async Task CachedSource_ARedisHit_IsNotHeldByL1_ItsNextHitFromL1Is()
    {
        await using var tiers = CacheHarness.Tiers(Options, _time, _redis.Configuration);
        await tiers.Redis!.FillAsync([("88.1/a", Entry("88.1/a", 1))], _time.GetUtcNow());
        var source = new CachedRecordSource(tiers, new StoreRecordSource(new TestStore(), tiers.Metrics), _time);

        var fromRedis = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);
        var fromL1 = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        Assert.Equal(1, fromRedis[0].Record!.Version);
        Assert.False(fromRedis[0].HeldByL1);
        Assert.True(fromL1[0].HeldByL1);
    }

    [Fact]
    public async Task GetMany_ThousandKeys_IsOneRoundTrip()
    {
        await using var tiers = CacheHarness.Tiers(Options, _time, _redis.Configuration);
        var keys = Enumerable.Range(0, 1000).Select(i => $"88.1/k{i}").ToArray();
        await tiers.Redis!.FillAsync([.. keys.Where((_, i) => i % 2 == 0).Select(k => (k, Entry(k, 1)))], _time.GetUtcNow());
        using var reads = new CounterWatch(tiers.Metrics, "resolver.redis.reads");

        var entries = await tiers.Redis.GetManyAsync(keys);

        Assert.Equal(1, reads.Total);
        Assert.Equal(500, entries!.Count(e => e is not null));
    }

    [Fact]
    public async Task Announce_ReachesAnotherReplicasL1()
    {
        await using var writer = CacheHarness.Tiers(Options, _time, _redis.Configuration);
        await using var reader = CacheHarness.Tiers(Options, _time, _redis.Configuration);
        reader.Memory.Offer("88.1/a", Entry("88.1/a", 1));

        await writer.RecordCommittedAsync(CacheHarness.Record("88.1/a", 2), Ct);

        await Eventually.TrueAsync(() => reader.Memory.Get("88.1/a") is null, TimeSpan.FromSeconds(5), "the invalidation never reached the other replica");
        reader.Memory.Offer("88.1/a", Entry("88.1/a", 1));
        Assert.Null(reader.Memory.Get("88.1/a"));
    }

    [Fact]
    public async Task RedisDown_SkipsL2WithoutWaitingAndUsesItAgainWhenBack()
    {
        await using var tiers = CacheHarness.Tiers(Options, _time, _redis.Configuration);
        await tiers.Redis!.FillAsync([("88.1/a", Entry("88.1/a", 1))], _time.GetUtcNow());

        await _redis.StopAsync();
        await Eventually.TrueAsync(() => !tiers.Redis.IsConnected, TimeSpan.FromSeconds(10), "the multiplexer never noticed Redis was gone");
        var whileDown = await tiers.Redis.GetManyAsync(["88.1/a"]);
        await _redis.StartAgainAsync(Ct);
        // A deadline, not a timing claim: with the whole suite loading both cores, a reconnection (500 ms retries, 2 s
        // connect timeout) once took past 15 s in CI-like runs.
        await Eventually.TrueAsync(() => tiers.Redis.IsConnected, TimeSpan.FromSeconds(45), "the multiplexer never reconnected");

        // The first commands after a reconnection may still fail while every connection comes back: L2 is a cache,
        // a failed fill costs a miss, so "used again" means within a deadline, not on the first command.
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await tiers.Redis.FillAsync([("88.1/a", Entry("88.1/a", 2))], _time.GetUtcNow());
            }
            catch (StackExchange.Redis.RedisException)
            {
                return false;
            }

            return (await tiers.Redis.GetManyAsync(["88.1/a"]))?[0]?.Version == 2;
        }, TimeSpan.FromSeconds(10), "L2 was never used again after Redis came back");
        Assert.Null(whileDown);
    }
}

/// <summary>Sums one counter of a <see cref="CacheMetrics"/> while alive.</summary>
internal sealed class CounterWatch : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CounterWatch(CacheMetrics metrics, string name)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == metrics.Meter && instrument.Name == name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
