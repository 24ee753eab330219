using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Storage;
using Resolver.Testing;

namespace Resolver.Caching.Tests;

/// <summary>The cache tiers as a subscriber of the change feed: what a change nobody announced does to L1 and to Redis entries.</summary>
public sealed class CacheTiersChangeFeedTests : IAsyncLifetime
{
    private static readonly CacheOptions Options = new() { TtlCap = TimeSpan.FromMinutes(5), L1UnsyncedTtl = TimeSpan.FromSeconds(1) };
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly TestStore _store = new();
    private RedisServer _redis = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _redis = await RedisServer.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    private CacheEntry Entry(string key, long version) => CacheEntry.For(CacheHarness.Record(key, version), _time.GetUtcNow(), Options);

    private static Change Changed(string key, long version) => new(1, key, version, ChangeOperation.Update, DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task OnChanges_NewerVersionNeverAnnounced_DropsTheOlderL1Entry()
    {
        await using var tiers = CacheHarness.Tiers(Options, _time);
        tiers.Memory.Offer("88.1/a", Entry("88.1/a", 1));

        tiers.OnChanges([Changed("88.1/a", 2)]);
        tiers.Memory.Offer("88.1/a", Entry("88.1/a", 1)); // a reader that loaded the old row before the write

        Assert.Null(tiers.Memory.Get("88.1/a"));
    }

    [Fact]
    public async Task OnChanges_VersionAlreadyKnown_KeepsTheL1EntryAndHoldsNoFloor()
    {
        await using var tiers = CacheHarness.Tiers(Options, _time, _redis.Configuration);
        tiers.Memory.Offer("88.1/a", Entry("88.1/a", 2));

        tiers.OnChanges([Changed("88.1/a", 2)]);
        var kept = tiers.Memory.Get("88.1/a")?.Version;
        tiers.Memory.Clear();

        Assert.Equal(2, kept);
        Assert.Equal(-1, tiers.RedisFloor("88.1/a")); // an announced change is in Redis already
    }

    [Fact]
    public async Task OnChanges_RedisHoldsTheOlderCopy_NeitherServedNorPutBackEvenAfterL1IsCleared()
    {
        await using var tiers = CacheHarness.Tiers(Options, _time, _redis.Configuration);
        var source = new CachedRecordSource(tiers, new MissCoalescer(new StoreRecordSource(_store, tiers.Metrics), _time), _time);
        await tiers.Redis!.FillAsync([("88.1/a", Entry("88.1/a", 1))], _time.GetUtcNow()); // the write's announcement never came
        _store.Put(CacheHarness.Record("88.1/a", 2));

        tiers.OnChanges([Changed("88.1/a", 2)]);
        tiers.Memory.Clear(); // as on a Redis reconnection: the L1 watermark is gone
        var answer = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        Assert.Equal(2, answer[0].Record!.Version);
        Assert.Equal(1, _store.Reads);
        await Eventually.TrueAsync(async () => (await tiers.Redis.GetManyAsync(["88.1/a"]))?[0]?.Version == 2, TimeSpan.FromSeconds(10), "the store's answer never replaced the older copy in Redis");
    }

    [Fact]
    public async Task OnChanges_ThenL1Cleared_AReadThatLoadedTheOldRowBeforeCannotPutItBack()
    {
        await using var tiers = CacheHarness.Tiers(Options, _time, _redis.Configuration);
        tiers.OnChanges([Changed("88.1/a", 2)]);
        tiers.Memory.Clear(); // as on a Redis reconnection

        tiers.OfferToMemory("88.1/a", Entry("88.1/a", 1), _time.GetUtcNow());

        Assert.Null(tiers.Memory.Get("88.1/a"));
    }

    [Fact]
    public async Task RedisFloor_AfterTheTtlCap_IsReleased()
    {
        await using var tiers = CacheHarness.Tiers(Options, _time, _redis.Configuration);
        tiers.OnChanges([Changed("88.1/a", 2)]);
        tiers.Memory.Clear();
        var held = tiers.RedisFloor("88.1/a");

        _time.Advance(Options.TtlCap); // an entry read before the write is no longer fresh by now

        Assert.Equal((2L, -1L), (held, tiers.RedisFloor("88.1/a")));
    }

    [Fact]
    public async Task OnChanges_MoreFloorsThanMaxFloors_SkipsRedisUntilTheTtlCapHasPassed()
    {
        var small = Options with { MaxFloors = 2 };
        await using var tiers = CacheHarness.Tiers(small, _time, _redis.Configuration);

        tiers.OnChanges([Changed("88.1/a", 2), Changed("88.1/b", 2), Changed("88.1/c", 2)]);
        var during = tiers.RedisFloor("88.1/z");
        _time.Advance(small.TtlCap);

        Assert.Equal((long.MaxValue, -1L), (during, tiers.RedisFloor("88.1/z")));
    }

    [Fact]
    public async Task OnChanges_L1OfOneEntry_WritesAnnouncedHereOrHeardHoldNoFloorAndRedisStaysInUse()
    {
        // With --l1-max-entries 1 the L1 keeps nothing, so it cannot tell which changes are known (issue 25, item 13).
        var small = Options with { L1MaxEntries = 1 };
        await using var writer = CacheHarness.Tiers(small, _time, _redis.Configuration);
        await using var reader = CacheHarness.Tiers(small, _time, _redis.Configuration);
        string[] keys = ["88.1/a", "88.1/b", "88.1/c"];
        foreach (var key in keys)
        {
            await writer.RecordCommittedAsync(CacheHarness.Record(key, 2), Ct);
        }

        await Eventually.TrueAsync(ReaderHeardAll, TimeSpan.FromSeconds(10), "the reader never heard the announcements");
        Change[] changes = [.. keys.Select(key => Changed(key, 2))];
        writer.OnChanges(changes);
        reader.OnChanges(changes);

        Assert.Equal((0, 0), (writer.FloorCount, reader.FloorCount));
        Assert.Equal((-1L, -1L), (writer.RedisFloor("88.1/z"), reader.RedisFloor("88.1/z")));
        Assert.Equal(2, (await reader.Redis!.GetManyAsync(["88.1/c"]))![0]!.Version);

        bool ReaderHeardAll() => keys.All(key => reader.HeardVersion(key) == 2);
    }

    [Fact]
    public async Task RecordCommitted_RedisUnreachable_WriterDoesNotServeTheOlderRedisCopyLater()
    {
        await using var tiers = CacheHarness.Tiers(Options, _time, _redis.Configuration);
        await tiers.Redis!.FillAsync([("88.1/a", Entry("88.1/a", 1))], _time.GetUtcNow());
        await _redis.StopAsync();
        await Eventually.TrueAsync(() => !tiers.Redis.IsConnected, TimeSpan.FromSeconds(10), "the multiplexer never noticed Redis was gone");

        await tiers.RecordCommittedAsync(CacheHarness.Record("88.1/a", 2), Ct);
        tiers.Memory.Clear();

        Assert.Equal(2, tiers.RedisFloor("88.1/a"));
    }
}
