using System.Collections.Concurrent;
using Resolver.Core.Storage;

namespace Resolver.Caching.Tests;

public sealed class ReadBatcherTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Read_OnAnIdleStage_GoesToTheNextStageAtOnce()
    {
        var next = new HeldSource();
        var batcher = new ReadBatcher(next, new ReadBatching(MaxQueries: 1));

        var lookups = await batcher.GetManyAsync(["88.1/a", "88.1/b"], Ct);

        Assert.Equal(["88.1/a", "88.1/b"], Assert.Single(next.Queries));
        Assert.Equal(["88.1/a", "88.1/b"], lookups.Select(l => l.Record!.Key));
    }

    [Fact]
    public async Task Reads_ArrivingWhileTheQuerySlotsAreBusy_GoTogetherAsOneQuery_EachCallerGetsItsOwnKeysInOrder()
    {
        var next = new HeldSource { Held = true };
        var batcher = new ReadBatcher(next, new ReadBatching(MaxQueries: 1));

        var first = batcher.GetManyAsync(["88.1/a"], Ct).AsTask();
        await next.WaitForQueriesAsync(1);
        var second = batcher.GetManyAsync(["88.1/b", "88.1/c"], Ct).AsTask();
        var third = batcher.GetManyAsync(["88.1/d"], Ct).AsTask();
        var fourth = batcher.GetManyAsync(["88.1/e"], Ct).AsTask();
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

        string[] keys = ["88.1/a", "88.1/b", "88.1/c", "88.1/d"];
        var reads = keys.Select(k => batcher.GetManyAsync([k], Ct).AsTask()).ToArray();
        await next.WaitForQueriesAsync(3);
        var queriesWhileHeld = next.Queries.Count;
        next.ReleaseAll();
        await Task.WhenAll(reads);

        Assert.Equal(3, queriesWhileHeld);
        Assert.Equal(4, next.Queries.Count);
    }

    [Fact]
    public async Task WaitingReads_OverTheKeyBudget_SplitIntoQueriesOfWholeReads()
    {
        var next = new HeldSource { Held = true };
        var batcher = new ReadBatcher(next, new ReadBatching(MaxQueries: 1, MaxKeysPerQuery: 3));

        var first = batcher.GetManyAsync(["88.1/a"], Ct).AsTask();
        await next.WaitForQueriesAsync(1);
        var waiting = new[]
        {
            batcher.GetManyAsync(["88.1/b", "88.1/c"], Ct).AsTask(),
            batcher.GetManyAsync(["88.1/d", "88.1/e"], Ct).AsTask(),
            batcher.GetManyAsync(["88.1/f", "88.1/g", "88.1/h", "88.1/i"], Ct).AsTask(),
        };
        next.ReleaseAll();
        await Task.WhenAll([first, .. waiting]);

        Assert.Equal([["88.1/a"], ["88.1/b", "88.1/c"], ["88.1/d", "88.1/e"], ["88.1/f", "88.1/g", "88.1/h", "88.1/i"]], next.Queries);
    }

    [Fact]
    public async Task NextStageThrowing_FailsEveryReadOfThatBatch_AndFreesTheSlot()
    {
        var next = new HeldSource { Held = true, Throw = true };
        var batcher = new ReadBatcher(next, new ReadBatching(MaxQueries: 1));

        var first = batcher.GetManyAsync(["88.1/a"], Ct).AsTask();
        await next.WaitForQueriesAsync(1);
        var second = batcher.GetManyAsync(["88.1/b"], Ct).AsTask();
        var third = batcher.GetManyAsync(["88.1/c"], Ct).AsTask();
        next.ReleaseAll();

        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second);
        await Assert.ThrowsAsync<InvalidOperationException>(() => third);
        next.Throw = false;
        next.Held = false;
        Assert.Equal("88.1/d", (await batcher.GetManyAsync(["88.1/d"], Ct)).Single().Record!.Key);
    }

    [Fact]
    public async Task WaitingCaller_GivingUp_IsCancelled_WhileTheOthersInItsBatchAreAnswered()
    {
        var next = new HeldSource { Held = true };
        var batcher = new ReadBatcher(next, new ReadBatching(MaxQueries: 1));
        using var giveUp = new CancellationTokenSource();

        var first = batcher.GetManyAsync(["88.1/a"], Ct).AsTask();
        await next.WaitForQueriesAsync(1);
        var quitter = batcher.GetManyAsync(["88.1/b"], giveUp.Token).AsTask();
        var stayer = batcher.GetManyAsync(["88.1/c"], Ct).AsTask();
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

        public bool Held { get; set; }

        public bool Throw { get; set; }

        public List<string[]> Queries => [.. _queries];

        public void ReleaseAll()
        {
            Held = false;
            _release.TrySetResult();
        }

        public async Task WaitForQueriesAsync(int count)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(10));
            while (_queries.Count < count)
            {
                await Task.Delay(1, deadline.Token);
            }
        }

        public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
        {
            _queries.Enqueue([.. keys]);
            if (Held)
            {
                await _release.Task.WaitAsync(cancellationToken);
            }

            return Throw
                ? throw new InvalidOperationException("a bug in the next stage")
                : [.. keys.Select(k => new RecordLookup(CacheHarness.Record(k, 1)))];
        }
    }
}
