using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Errors;
using Resolver.Core.Storage;

namespace Resolver.Caching.Tests;

public sealed class MissCoalescerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _time = new(CacheHarness.Start);

    [Fact]
    public async Task ConcurrentMisses_OfOneKey_AreOneRead()
    {
        var next = new ScriptedSource();
        var coalescer = new MissCoalescer(next, _time);

        var first = coalescer.GetManyAsync(["88.1/a"], ReadContext.None, Ct).AsTask();
        await next.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var second = coalescer.GetManyAsync(["88.1/a"], ReadContext.None, Ct).AsTask();
        next.Release.SetResult(new RecordLookup(CacheHarness.Record("88.1/a", 1)));

        Assert.Equal(1, (await first)[0].Record!.Version);
        Assert.Equal(1, (await second)[0].Record!.Version);
        Assert.Single(next.Contexts);
    }

    [Fact]
    public async Task ALoadThatRanOutOfItsStartersDeadline_IsAskedAgainForAWaiterWithMoreTime()
    {
        // The case: a caller with 50 ms left starts the load, one with 5 s left joins it; the first's deadline
        // passing must not fail the second.
        var next = new ScriptedSource();
        var coalescer = new MissCoalescer(next, _time);
        var now = _time.GetUtcNow().UtcDateTime;
        var hurried = new ReadContext(now.AddMilliseconds(50), 0);
        var patient = new ReadContext(now.AddSeconds(5), 0);

        var hurriedAnswer = coalescer.GetManyAsync(["88.1/a"], hurried, Ct).AsTask();
        await next.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var patientAnswer = coalescer.GetManyAsync(["88.1/a"], patient, Ct).AsTask();
        next.Then = new RecordLookup(CacheHarness.Record("88.1/a", 7));
        _time.Advance(TimeSpan.FromMilliseconds(60));
        next.Release.SetResult(new RecordLookup(null, Problem: new Problem(ErrorKind.DeadlineExceeded, "deadline-exceeded", "the caller's deadline passed")));

        Assert.Equal(ErrorKind.DeadlineExceeded, (await hurriedAnswer)[0].Problem!.Kind);
        Assert.Equal(7, (await patientAnswer)[0].Record!.Version);
        Assert.Equal([hurried, patient], next.Contexts);
    }

    [Fact]
    public async Task ALoadRefusedForItsStartersHops_IsAskedAgainForAWaiterWithFewer()
    {
        // A caller claiming to have passed many nodes must not make a caller of its own fail "delegation chain too long".
        var next = new ScriptedSource();
        var coalescer = new MissCoalescer(next, _time);
        var relayed = new ReadContext(null, 8);
        var own = new ReadContext(null, 0);

        var relayedAnswer = coalescer.GetManyAsync(["88.1/a"], relayed, Ct).AsTask();
        await next.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var ownAnswer = coalescer.GetManyAsync(["88.1/a"], own, Ct).AsTask();
        next.Then = new RecordLookup(CacheHarness.Record("88.1/a", 3));
        next.Release.SetResult(new RecordLookup(null, Problem: new Problem(ErrorKind.FailedPrecondition, Reasons.DelegationChainTooLong, "too many hops")));

        Assert.Equal(Reasons.DelegationChainTooLong, (await relayedAnswer)[0].Problem!.Reason);
        Assert.Equal(3, (await ownAnswer)[0].Record!.Version);
        Assert.Equal([relayed, own], next.Contexts);
    }

    [Fact]
    public async Task ALoadThatRanOutOfTheDeadlineOfTheCallerItself_IsNotAskedAgain()
    {
        var next = new ScriptedSource();
        var coalescer = new MissCoalescer(next, _time);
        var hurried = new ReadContext(_time.GetUtcNow().UtcDateTime.AddMilliseconds(50), 0);

        var only = coalescer.GetManyAsync(["88.1/a"], hurried, Ct).AsTask();
        await next.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        _time.Advance(TimeSpan.FromMilliseconds(60));
        next.Release.SetResult(new RecordLookup(null, Problem: new Problem(ErrorKind.DeadlineExceeded, "deadline-exceeded", "the caller's deadline passed")));

        Assert.Equal(ErrorKind.DeadlineExceeded, (await only)[0].Problem!.Kind);
        Assert.Single(next.Contexts);
    }

    /// <summary>A next stage whose first read waits for <see cref="Release"/>; later reads answer <see cref="Then"/> at once.</summary>
    private sealed class ScriptedSource : IRecordSource
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<RecordLookup> Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public RecordLookup Then { get; set; }

        public ConcurrentQueue<ReadContext> Contexts { get; } = new();

        public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
        {
            Contexts.Enqueue(context);
            if (Contexts.Count == 1)
            {
                Started.SetResult();
                var answer = await Release.Task;
                return [.. keys.Select(_ => answer)];
            }

            return [.. keys.Select(_ => Then)];
        }
    }
}
