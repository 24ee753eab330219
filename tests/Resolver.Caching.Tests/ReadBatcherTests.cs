using System.Collections.Concurrent;
using Resolver.Core.Storage;
using Resolver.Testing;

namespace Resolver.Caching.Tests;

public sealed class ReadBatcherTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Read_OnAnIdleStage_GoesToTheNextStageAtOnce()
    {
        var next = new HeldSource();
        var batcher = new ReadBatcher(next, new ReadBatching(MaxQueries: 1));

        var lookups = await batcher.GetManyAsync(["88.1/a", "88.1/b"], ReadContext.None, Ct);

        Assert.Equal(["88.1/a", "88.1/b"], Assert.Single(next.Queries));
        Assert.Equal(["88.1/a", "88.1/b"], lookups.Select(l => l.Record!.Key));
    }

    [Fact]
    public async Task Reads_ArrivingWhileTheQuerySlotsAreBusy_GoTogetherAsOneQuery_EachCallerGetsItsOwnKeysInOrder()
    {
        var next = new HeldSource { Held = true };
        var batcher = new ReadBatcher(next, new ReadBatching(MaxQueries: 1));

        var first = batcher.GetManyAsync(["88.1/a"], ReadContext.None, Ct).AsTask();
        await next.WaitForQueriesAsync(1);
        var second = batcher.GetManyAsync(["88.1/b", "88.1/c"], ReadContext.None, Ct).AsTask();
        var third = batcher.GetManyAsync(["88.1/d"], ReadContext.None, Ct).AsTask();
        var fourth = batcher.GetManyAsync(["88.1/e"], ReadContext.None, Ct).AsTask();
        next.ReleaseAll();

        Assert.Equal(["88.1/a"], (await first).Select(l => l.Record!.Key));
        Assert.Equal(["88.1/b", "88.1/c"], (await second).Select(l => l.Record!.Key));
        Assert.Equal(["88.1/d"], (await third).Select(l => l.Record!.Key));
        Assert.Equal(["88.1/e"], (await fourth).Select(l => l.Record!.Key));
        Assert.Equal([["88.1/a"], ["88.1/b", "88.1/c", "88.1/d", "88.1/e"]], next.Queries);
    }

    [Fact]
    public async Task Reads_UpToMaxQueries_RunAtOnce()
    {
        var next = new HeldSource { Held = true };
        var batcher = new ReadBatcher(next, new ReadBatching(MaxQueries: 3));

        string[] keys = ["88.1/a", "88.1/b", "88.1/c", "88.1/d", "88.1/e", "88.1/f"];
        var reads = keys.Select(k => batcher.GetManyAsync([k], ReadContext.None, Ct).AsTask()).ToArray();
        await next.WaitForQueriesAsync(3);
        next.ReleaseAll();
        await Task.WhenAll(reads);

        Assert.Equal(3, next.MostInFlight);
        Assert.Equal(4, next.Queries.Count); // three at once, then the three that waited, together
    }

    [Fact]
    public async Task WaitingReads_OverTheKeyBudget_SplitIntoQueriesOfWholeReads()
    {
        var next = new HeldSource { Held = true };
        var batcher = new ReadBatcher(next, new ReadBatching(MaxQueries: 1, MaxKeysPerQuery: 3));

        var first = batcher.GetManyAsync(["88.1/a"], ReadContext.None, Ct).AsTask();
        await next.WaitForQueriesAsync(1);
        var waiting = new[]
        {
            batcher.GetManyAsync(["88.1/b", "88.1/c"], ReadContext.None, Ct).AsTask(),
            batcher.GetManyAsync(["88.1/d", "88.1/e"], ReadContext.None, Ct).AsTask(),
            batcher.GetManyAsync(["88.1/f", "88.1/g", "88.1/h", "88.1/i"], ReadContext.None, Ct).AsTask(),
        };
        next.ReleaseAll();
        await Task.WhenAll([first, .. waiting]);

        Assert.Equal([["88.1/a"], ["88.1/b", "88.1/c"], ["88.1/d", "88.1/e"], ["88.1/f", "88.1/g", "88.1/h", "88.1/i"]], next.Queries);
    }

    [Fact]
    public async Task NextStageThrowingOnOneKey_FailsOnlyTheReadThatAskedForIt_AndFreesTheSlot()
    {
        var next = new HeldSource { Held = true, ThrowOn = "88.1/c" };
        var batcher = new ReadBatcher(next, new ReadBatching(MaxQueries: 1));

        var first = batcher.GetManyAsync(["88.1/a"], ReadContext.None, Ct).AsTask();
        await next.WaitForQueriesAsync(1);
        var second = batcher.GetManyAsync(["88.1/b"], ReadContext.None, Ct).AsTask();
        var third = batcher.GetManyAsync(["88.1/c"], ReadContext.None, Ct).AsTask();
        var fourth = batcher.GetManyAsync(["88.1/d"], ReadContext.None, Ct).AsTask();
        next.ReleaseAll();

        Assert.Equal("88.1/a", (await first).Single().Record!.Key);
        Assert.Equal("88.1/b", (await second).Single().Record!.Key);
        await Assert.ThrowsAsync<InvalidOperationException>(() => third);
        Assert.Equal("88.1/d", (await fourth).Single().Record!.Key);
        Assert.Equal("88.1/e", (await batcher.GetManyAsync(["88.1/e"], ReadContext.None, Ct)).Single().Record!.Key);
    }

    [Fact]
    public async Task Read_WhenTheWaitingKeysAreAtTheirBound_IsUnavailableAtOnce_WithoutReachingTheStore()
    {
        var next = new HeldSource { Held = true };
        var batcher = new ReadBatcher(next, new ReadBatching(MaxQueries: 1, MaxKeysPerQuery: 10) { MaxWaitingKeys = 3 });

        var first = batcher.GetManyAsync(["88.1/a"], ReadContext.None, Ct).AsTask();
        await next.WaitForQueriesAsync(1);
        var waiting = batcher.GetManyAsync(["88.1/b", "88.1/c", "88.1/d"], ReadContext.None, Ct).AsTask();
        var refused = await batcher.GetManyAsync(["88.1/e"], ReadContext.None, Ct);
        next.ReleaseAll();
        await Task.WhenAll(first, waiting);

        var problem = Assert.Single(refused).Problem;
        Assert.Equal(Core.Errors.ErrorKind.Unavailable, problem!.Kind);
        Assert.Contains("3 keys are already waiting", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(next.Queries, q => q.Contains("88.1/e"));
        Assert.Equal("88.1/f", (await batcher.GetManyAsync(["88.1/f"], ReadContext.None, Ct)).Single().Record!.Key); // room again
    }

    [Fact]
    public void Settings_BelowOne_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReadBatcher(new HeldSource(), new ReadBatching(MaxQueries: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReadBatcher(new HeldSource(), new ReadBatching(MaxQueries: 1, MaxKeysPerQuery: 0)));
    }

    [Fact]
    public async Task WaitingCaller_GivingUp_IsCancelled_WhileTheOthersInItsBatchAreAnswered()
    {
        var next = new HeldSource { Held = true };
        var batcher = new ReadBatcher(next, new ReadBatching(MaxQueries: 1));
        using var giveUp = new CancellationTokenSource();

        var first = batcher.GetManyAsync(["88.1/a"], ReadContext.None, Ct).AsTask();
        await next.WaitForQueriesAsync(1);
        var quitter = batcher.GetManyAsync(["88.1/b"], ReadContext.None, giveUp.Token).AsTask();
        var stayer = batcher.GetManyAsync(["88.1/c"], ReadContext.None, Ct).AsTask();
        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => quitter);
        next.ReleaseAll();
        Assert.Equal("88.1/a", (await first).Single().Record!.Key);
        Assert.Equal("88.1/c", (await stayer).Single().Record!.Key);
    }

    // The next stage, recording each query's keys; while Held, queries wait for ReleaseAll. Fakes what a real store
    // can't be told to do on cue: hold a query in flight, or break its contract by throwing.
    private sealed class HeldSource : IRecordSource
    {
        private readonly ConcurrentQueue<string[]> _queries = new();
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _mostInFlight;

        public bool Held { get; set; }

        /// <summary>A query holding this key throws, as a bug on one bad row would.</summary>
        public string? ThrowOn { get; init; }

        public int MostInFlight => _mostInFlight;

        public List<string[]> Queries => [.. _queries];

        public void ReleaseAll()
        {
            Held = false;
            _release.TrySetResult();
        }

        public Task WaitForQueriesAsync(int count) =>
            Eventually.TrueAsync(() => _queries.Count >= count, TimeSpan.FromSeconds(10), $"{count} queries never reached the next stage");

        public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
        {
            var inFlight = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _mostInFlight, inFlight);
            _queries.Enqueue([.. keys.Select(k => k.Key)]);
            try
            {
                if (Held)
                {
                    await _release.Task.WaitAsync(cancellationToken);
                }

                return ThrowOn is not null && keys.Any(k => k.Key == ThrowOn)
                    ? throw new InvalidOperationException("a bug in the next stage")
                    : [.. keys.Select(k => new RecordLookup(CacheHarness.Record(k.Key, 1)))];
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static void InterlockedMax(ref int location, int value)
        {
            var seen = Volatile.Read(ref location);
            while (value > seen && Interlocked.CompareExchange(ref location, value, seen) is var previous && previous != seen)
            {
                seen = previous;
            }
        }
    }
}
