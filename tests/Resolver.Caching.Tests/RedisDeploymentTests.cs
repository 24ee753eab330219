using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Records;
using Resolver.Core.Storage;
using Resolver.Testing;

namespace Resolver.Caching.Tests;

/// <summary>
/// Cache entries belong to one deployment, and to the Redis they were written to (SPEC §7): deployments sharing a Redis
/// never see each other's entries or announcements, and a Redis that went back in time is detected. Against a real
/// redis-server on loopback; the L1 is off (one entry), so that every read goes to Redis as it would on a busy node.
/// </summary>
public sealed class RedisDeploymentTests : IAsyncLifetime
{
    private static readonly CacheOptions Options = new() { L1MaxEntries = 1, L1UnsyncedTtl = TimeSpan.FromSeconds(1) };
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private RedisServer _redis = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // DEBUG RELOAD loads the RDB into the running server, as a restore without a restart would.
    public async ValueTask InitializeAsync() => _redis = await RedisServer.StartAsync("enable-debug-command yes", Ct);

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    private CacheTiers Deployment(string name, CacheOptions? options = null) =>
        CacheHarness.Tiers((options ?? Options) with { RedisNamespace = name }, _time, _redis.Configuration);

    private CachedRecordSource Source(CacheTiers tiers, TestStore store) => new(tiers, new StoreRecordSource(store, tiers.Metrics), _time);

    private static async Task<string> ReadAsync(CachedRecordSource source, string key) =>
        (await source.GetManyAsync([key], ReadContext.None, Ct))[0].Record!.Values[0].Data.Text!;

    private static HandleRecord Record(string key, long version, string data) => CacheHarness.Record(key, version, data: data);

    [Fact]
    public async Task SharedRedis_TwoDeploymentsSameIdentifier_EachServesItsOwnRecord()
    {
        var stagingStore = new TestStore();
        var productionStore = new TestStore();
        stagingStore.Put(Record("88.1/a", 1, "staging"));
        productionStore.Put(Record("88.1/a", 1, "production"));
        await using var staging = Deployment("staging");
        await using var production = Deployment("production");
        var fromStaging = Source(staging, stagingStore);
        var fromProduction = Source(production, productionStore);

        Assert.Equal("staging", await ReadAsync(fromStaging, "88.1/a"));
        await Eventually.TrueAsync(async () => (await staging.Redis!.GetManyAsync(["88.1/a"]))?[0] is not null, TimeSpan.FromSeconds(10), "staging's fill never reached Redis");

        Assert.Equal("production", await ReadAsync(fromProduction, "88.1/a"));
        Assert.Equal(1, productionStore.Reads);
    }

    [Fact]
    public async Task SharedRedis_AnotherDeploymentsAnnouncement_NeverReachesThisOne()
    {
        var withL1 = Options with { L1MaxEntries = 100 };
        await using var staging = Deployment("staging", withL1);
        await using var production = Deployment("production", withL1);
        await using var productionWriter = Deployment("production", withL1);
        production.Memory.Offer("88.1/a", CacheEntry.For(CacheHarness.Record("88.1/a", 1), _time.GetUtcNow(), withL1));
        production.Memory.Offer("88.1/b", CacheEntry.For(CacheHarness.Record("88.1/b", 1), _time.GetUtcNow(), withL1));

        // Redis delivers one server's messages in the order they were published: once production has heard its own
        // writer's announcement, staging's earlier one would have arrived before it.
        await staging.RecordCommittedAsync(CacheHarness.Record("88.1/a", 2), Ct);
        await productionWriter.RecordCommittedAsync(CacheHarness.Record("88.1/b", 2), Ct);
        await Eventually.TrueAsync(() => production.Memory.Get("88.1/b") is null, TimeSpan.FromSeconds(10), "production never heard its own writer");

        Assert.Equal(1, production.Memory.Get("88.1/a")?.Version);
    }

    [Fact]
    public async Task Restart_FromAnOlderRdb_BothReplicasServeTheNewValueOnceReconnected()
    {
        // Two replicas that only read; the writes come from a third that has gone since (a rolled pod), so nothing but
        // Redis's own identity tells them that the Redis they reconnect to is not the one they read the new value from.
        var store = new TestStore();
        await using var first = Deployment("production");
        await using var second = Deployment("production");
        var fromFirst = Source(first, store);
        var fromSecond = Source(second, store);
        await using (var writer = Deployment("production"))
        {
            store.Put(Record("88.1/a", 1, "old"));
            await writer.RecordCommittedAsync(Record("88.1/a", 1, "old"), Ct);
            Assert.Equal("+OK", await _redis.CommandAsync("SAVE", Ct));
            store.Put(Record("88.1/a", 2, "new"));
            await writer.RecordCommittedAsync(Record("88.1/a", 2, "new"), Ct);
        }

        Assert.Equal(("new", "new"), (await ReadAsync(fromFirst, "88.1/a"), await ReadAsync(fromSecond, "88.1/a")));
        var checks = (First: first.Redis!.Verifications, Second: second.Redis!.Verifications);
        var generation = first.Redis.CurrentGeneration;

        // Killed (nothing saved) and started again: it loads the RDB of before the second write.
        await _redis.StopAsync();
        await _redis.StartAgainAsync(Ct);
        Assert.Equal(":1", await _redis.CommandAsync($"EXISTS resolver:production:{generation}:r:88.1/a", Ct));
        await Eventually.TrueAsync(
            () => first.Redis.IsConnected && second.Redis.IsConnected && first.Redis.Verifications > checks.First && second.Redis.Verifications > checks.Second,
            TimeSpan.FromSeconds(20),
            "the replicas never reconnected and verified Redis");

        Assert.Equal(("new", "new"), (await ReadAsync(fromFirst, "88.1/a"), await ReadAsync(fromSecond, "88.1/a")));
    }

    [Fact]
    public async Task OlderCopyLoadedIntoARunningRedis_WithinOneCheckInterval_BothReplicasServeTheNewValue()
    {
        var store = new TestStore();
        await using var writer = Deployment("production");
        await using var reader = Deployment("production");
        var fromWriter = Source(writer, store);
        var fromReader = Source(reader, store);
        store.Put(Record("88.1/a", 1, "old"));
        await writer.RecordCommittedAsync(Record("88.1/a", 1, "old"), Ct);
        Assert.Equal("+OK", await _redis.CommandAsync("SAVE", Ct));
        store.Put(Record("88.1/a", 2, "new"));
        await writer.RecordCommittedAsync(Record("88.1/a", 2, "new"), Ct);
        Assert.Equal(("new", "new"), (await ReadAsync(fromWriter, "88.1/a"), await ReadAsync(fromReader, "88.1/a")));

        // The same server (run_id unchanged, no connection lost) now holds the older copy.
        Assert.Equal("+OK", await _redis.CommandAsync("DEBUG RELOAD NOSAVE", Ct));
        Assert.Equal("old", await RawAsync());
        var checks = (Writer: writer.Redis!.Verifications, Reader: reader.Redis!.Verifications);
        _time.Advance(Options.RedisVerifyInterval);
        await Eventually.TrueAsync(
            () => writer.Redis.Verifications > checks.Writer && reader.Redis.Verifications > checks.Reader,
            TimeSpan.FromSeconds(10),
            "the periodic check never ran");

        // The writer found the lower write count; the reader, checked at the same tick, may have come first: its next check
        // (one interval on) adopts the writer's new generation. Two intervals stay inside the 2 s bound.
        checks = (writer.Redis.Verifications, reader.Redis.Verifications);
        _time.Advance(Options.RedisVerifyInterval);
        await Eventually.TrueAsync(
            () => writer.Redis.Verifications > checks.Writer && reader.Redis.Verifications > checks.Reader,
            TimeSpan.FromSeconds(10),
            "the second periodic check never ran");

        Assert.True(2 * Options.RedisVerifyInterval <= TimeSpan.FromSeconds(2));
        Assert.Equal(("new", "new"), (await ReadAsync(fromWriter, "88.1/a"), await ReadAsync(fromReader, "88.1/a")));

        async Task<string> RawAsync()
        {
            var probe = Deployment("production");
            await using (probe)
            {
                return (await probe.Redis!.GetManyAsync(["88.1/a"]))![0]!.Record!.Values[0].Data.Text!;
            }
        }
    }
}
