using Resolver.Core.Storage;
using Resolver.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Resolver.Caching.Tests;

public sealed class CachedRecordSourceTests
{
    private static readonly CacheOptions Options = new() { TtlCap = TimeSpan.FromMinutes(5), StaleWindow = TimeSpan.FromHours(1), NegativeTtl = TimeSpan.FromSeconds(5), L1UnsyncedTtl = TimeSpan.FromMinutes(10) };
    private readonly FakeTimeProvider _time = new(CacheHarness.Start);
    private readonly TestStore _store = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The chain as the server declares it: cache → miss coalescer → store.
    private CachedRecordSource Source(CacheOptions? options = null)
    {
        var tiers = CacheHarness.Tiers(options ?? Options, _time);
        return new CachedRecordSource(tiers, new MissCoalescer(new StoreRecordSource(_store, tiers.Metrics), _time), _time);
    }

    [Fact]
    public async Task Get_WithinTtl_IsServedFromL1WithoutTheStore()
    {
        _store.Put(CacheHarness.Record("88.1/a", 1, ttl: 60));
        var source = Source();

        await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);
        _time.Advance(TimeSpan.FromSeconds(59));
        var second = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        Assert.Equal(1, _store.Reads);
        Assert.Equal(1, second[0].Record!.Version);
        Assert.False(second[0].Stale);
    }

    [Fact]
    public async Task Get_OnlyAnL1Hit_IsMarkedHeldByL1_TheRecordL1HoldsItself()
    {
        _store.Put(CacheHarness.Record("88.1/a", 1, ttl: 60));
        var source = Source();

        var read = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);
        var hit = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);
        var again = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        Assert.False(read[0].HeldByL1);
        Assert.True(hit[0].HeldByL1);
        Assert.Same(hit[0].Record, again[0].Record);
    }

    [Fact]
    public async Task Get_AfterTheSmallestValueTtl_AsksTheStoreAgain()
    {
        _store.Put(CacheHarness.Record("88.1/a", 1, ttl: 60));
        var source = Source();
        await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        _store.Put(CacheHarness.Record("88.1/a", 2, ttl: 60));
        _time.Advance(TimeSpan.FromSeconds(61));
        var later = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        Assert.Equal(2, _store.Reads);
        Assert.Equal(2, later[0].Record!.Version);
    }

    [Fact]
    public async Task Get_TtlAboveTheCap_IsFreshOnlyForTheCap()
    {
        _store.Put(CacheHarness.Record("88.1/a", 1, ttl: 86400));
        var source = Source();
        await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        _time.Advance(Options.TtlCap + TimeSpan.FromSeconds(1));
        await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        Assert.Equal(2, _store.Reads);
    }

    [Fact]
    public async Task Get_NotFound_IsCachedForTheNegativeTtl()
    {
        var source = Source();

        await source.GetManyAsync(["88.1/none"], ReadContext.None, Ct);
        _time.Advance(TimeSpan.FromSeconds(4));
        var cached = await source.GetManyAsync(["88.1/none"], ReadContext.None, Ct);
        _time.Advance(TimeSpan.FromSeconds(2));
        await source.GetManyAsync(["88.1/none"], ReadContext.None, Ct);

        Assert.Null(cached[0].Record);
        Assert.Null(cached[0].Problem);
        Assert.Equal(2, _store.Reads);
    }

    [Fact]
    public async Task Get_StoreDownAfterFreshness_ServesTheEntryMarkedStale()
    {
        _store.Put(CacheHarness.Record("88.1/a", 1, ttl: 60));
        var source = Source();
        await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        _store.Down = true;
        _time.Advance(TimeSpan.FromMinutes(30));
        var stale = await source.GetManyAsync(["88.1/a", "88.1/never-seen"], ReadContext.None, Ct);

        Assert.True(stale[0].Stale);
        Assert.Equal(1, stale[0].Record!.Version);
        Assert.Null(stale[1].Record);
        Assert.Equal(Core.Errors.ErrorKind.Unavailable, stale[1].Problem!.Kind);
    }

    [Fact]
    public async Task Get_StoreDownBeyondTheStaleWindow_IsUnavailable()
    {
        _store.Put(CacheHarness.Record("88.1/a", 1, ttl: 60));
        var source = Source();
        await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        _store.Down = true;
        _time.Advance(TimeSpan.FromSeconds(60) + Options.StaleWindow + TimeSpan.FromSeconds(1));
        var result = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        Assert.Equal(Core.Errors.ErrorKind.Unavailable, result[0].Problem!.Kind);
    }

    [Fact]
    public async Task Get_ConcurrentMissesForOneKey_CauseOneStoreQuery()
    {
        _store.Put(CacheHarness.Record("88.1/a", 1));
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var source = Source();

        var callers = Enumerable.Range(0, 10).Select(_ => source.GetManyAsync(["88.1/a"], ReadContext.None, Ct).AsTask()).ToArray();
        _store.Gate.SetResult();
        var results = await Task.WhenAll(callers);

        Assert.Equal(1, _store.Reads);
        Assert.All(results, r => Assert.Equal(1, r[0].Record!.Version));
    }

    [Fact]
    public async Task Get_WithoutInvalidationChannel_L1LivesAtMostTheUnsyncedBound()
    {
        _store.Put(CacheHarness.Record("88.1/a", 1, ttl: 3600));
        var source = Source(Options with { L1UnsyncedTtl = TimeSpan.FromSeconds(1) });
        await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        _store.Put(CacheHarness.Record("88.1/a", 2, ttl: 3600)); // written through another replica
        _time.Advance(TimeSpan.FromMilliseconds(1001));
        var result = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        Assert.Equal(2, result[0].Record!.Version);
    }

    [Fact]
    public async Task Get_StoreSilentPastTheStaleAnswerTimeout_AnswersStaleThenAtOnceUntilAProbeSeesItBack()
    {
        _store.Put(CacheHarness.Record("88.1/a", 1, ttl: 60));
        var source = Source();
        await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);
        _time.Advance(TimeSpan.FromMinutes(30));
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); // packets dropped: no answer, no error

        // 1. The first read waits the stale-answer timeout, no longer.
        var first = source.GetManyAsync(["88.1/a"], ReadContext.None, Ct).AsTask();
        Assert.False(first.IsCompleted);
        _time.Advance(Options.StaleAnswerTimeout);
        var stale = await first;

        // 2. The source is known down: the next answer comes without asking it.
        var readsBefore = _store.Reads;
        var again = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);
        var readsAfter = _store.Reads;

        // 3. The store answers again (the read it was stuck in fills the cache); a probe also sees it back.
        _store.Put(CacheHarness.Record("88.1/a", 2, ttl: 60));
        _store.Gate.SetResult();
        _store.Gate = null;
        _time.Advance(TimeSpan.FromSeconds(1));
        await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);
        await Eventually.TrueAsync(() => !source.SourceIsDown, TimeSpan.FromSeconds(10), "the probe never saw the store back");
        var fresh = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        Assert.True(stale[0].Stale);
        Assert.True(again[0].Stale);
        Assert.Equal(readsBefore, readsAfter);
        Assert.Equal(2, fresh[0].Record!.Version);
        Assert.False(fresh[0].Stale);
    }

    [Fact]
    public async Task Get_SlowStore_StaleKeyAnsweredStaleColdKeyInTheSameBatchWaitsForTheStore()
    {
        _store.Put(CacheHarness.Record("88.1/a", 1, ttl: 60));
        var source = Source();
        await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);
        _time.Advance(TimeSpan.FromMinutes(30));
        _store.Put(CacheHarness.Record("88.1/b", 1, ttl: 60));
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var pending = source.GetManyAsync(["88.1/a", "88.1/b"], ReadContext.None, Ct).AsTask();
        _time.Advance(Options.StaleAnswerTimeout);
        Assert.False(pending.IsCompleted);
        _store.Gate.SetResult();
        var result = await pending;

        Assert.True(result[0].Stale);
        Assert.Equal((1, false), (result[1].Record!.Version, result[1].Stale));
    }

    [Fact]
    public async Task Get_SlowStoreWithNothingStaleToServe_WaitsForItsAnswer()
    {
        _store.Put(CacheHarness.Record("88.1/a", 1, ttl: 60));
        var source = Source();
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var pending = source.GetManyAsync(["88.1/a"], ReadContext.None, Ct).AsTask();
        _time.Advance(Options.StaleAnswerTimeout * 2);
        Assert.False(pending.IsCompleted);
        _store.Gate.SetResult();

        Assert.Equal(1, (await pending)[0].Record!.Version);
        Assert.False(source.SourceIsDown);
    }

    [Fact]
    public async Task StoreStage_StoreDown_AnswersEachKeyUnavailableInsteadOfThrowing()
    {
        _store.Down = true;
        var stage = new StoreRecordSource(_store, new CacheMetrics(new TestMeterFactory()));

        var result = await stage.GetManyAsync(["88.1/a", "88.1/b"], ReadContext.None, Ct);

        Assert.All(result, r => Assert.Equal(Core.Errors.ErrorKind.Unavailable, r.Problem!.Kind));
    }

    [Fact]
    public async Task Get_NextStageAnswersStale_IsPassedOnButNotCachedAsFresh()
    {
        var next = new StaleStage(CacheHarness.Record("88.1/a", 1));
        var source = new CachedRecordSource(CacheHarness.Tiers(Options, _time), next, _time);

        var first = await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);
        await source.GetManyAsync(["88.1/a"], ReadContext.None, Ct);

        Assert.True(first[0].Stale);
        Assert.Equal(2, next.Calls);
    }

    // A next stage (e.g. another node) that can only answer stale.
    private sealed class StaleStage(Core.Records.HandleRecord record) : Core.Storage.IRecordSource
    {
        public int Calls { get; private set; }

        public ValueTask<IReadOnlyList<Core.Storage.RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult<IReadOnlyList<Core.Storage.RecordLookup>>([.. keys.Select(_ => new Core.Storage.RecordLookup(record, Stale: true))]);
        }
    }
}
