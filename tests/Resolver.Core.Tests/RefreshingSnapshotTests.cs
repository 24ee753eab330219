using Resolver.Testing;
using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Errors;

namespace Resolver.Core.Tests;

public sealed class RefreshingSnapshotTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_StoreDownAfterTheInterval_ServesTheLastValueAndRetriesOncePerInterval()
    {
        var time = new FakeTimeProvider();
        var loads = 0;
        var down = false;
        using var snapshot = new RefreshingSnapshot<string>(_ =>
        {
            loads++;
            return down
                ? throw new ResolverException(new Problem(ErrorKind.Unavailable, Reasons.StoreUnavailable, "down"))
                : ValueTask.FromResult($"v{loads}");
        }, time);
        Assert.Equal("v1", await snapshot.GetAsync(Ct));

        down = true;
        time.Advance(RefreshingSnapshot<string>.RefreshInterval + TimeSpan.FromSeconds(1));
        var during = await snapshot.GetAsync(Ct);
        await Eventually.TrueAsync(() => Volatile.Read(ref loads) == 2, TimeSpan.FromSeconds(10), "no reload was tried behind the caller");
        var again = await snapshot.GetAsync(Ct);
        var loadsWhileDown = loads;

        down = false;
        time.Advance(RefreshingSnapshot<string>.RefreshInterval + TimeSpan.FromSeconds(1));
        var due = await snapshot.GetAsync(Ct);
        await Eventually.TrueAsync(async () => await snapshot.GetAsync(Ct) == "v3", TimeSpan.FromSeconds(10), "the reload behind the caller never landed");

        Assert.Equal(("v1", "v1"), (during, again));
        Assert.Equal(2, loadsWhileDown);
        Assert.Equal("v1", due); // served at once while the reload runs behind it
    }

    [Fact]
    public async Task Get_StoreSilentAfterTheInterval_ServesTheLastValueWithoutWaiting()
    {
        var time = new FakeTimeProvider();
        var silent = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loads = 0;
        using var snapshot = new RefreshingSnapshot<string>(_ => ++loads == 1 ? ValueTask.FromResult("v1") : new ValueTask<string>(silent.Task), time);
        await snapshot.GetAsync(Ct);

        time.Advance(RefreshingSnapshot<string>.RefreshInterval + TimeSpan.FromSeconds(1));
        var first = await snapshot.GetAsync(Ct);
        var second = await snapshot.GetAsync(Ct);
        silent.SetResult("v2");

        Assert.Equal(("v1", "v1"), (first, second));
        await Eventually.TrueAsync(async () => await snapshot.GetAsync(Ct) == "v2", TimeSpan.FromSeconds(10), "the reload never landed");
        Assert.Equal(2, loads); // one reload for both calls
    }

    [Fact]
    public async Task Invalidate_WhileAnOlderLoadRuns_TheNextCallReadsAfterTheChange()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var loads = 0;
        using var snapshot = new RefreshingSnapshot<string>(async _ =>
        {
            var n = ++loads;
            if (n == 1)
            {
                await gate.Task;
            }

            return $"v{n}";
        }, new FakeTimeProvider());

        var before = snapshot.GetAsync(Ct).AsTask(); // a load that began before the change
        snapshot.Invalidate();
        var after = snapshot.GetAsync(Ct).AsTask();
        gate.SetResult();

        Assert.Equal("v1", await before);
        Assert.Equal("v2", await after);
    }

    [Fact]
    public async Task Get_AfterInvalidationWhileTheStoreIsSilent_OnlyTheFirstCallWaits()
    {
        var time = new FakeTimeProvider();
        var silent = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loads = 0;
        using var snapshot = new RefreshingSnapshot<string>(_ => ++loads == 1 ? ValueTask.FromResult("v1") : new ValueTask<string>(silent.Task), time);
        await snapshot.GetAsync(Ct);
        snapshot.Invalidate();

        var first = snapshot.GetAsync(Ct).AsTask();
        await Eventually.TrueAsync(() => Volatile.Read(ref loads) == 2, TimeSpan.FromSeconds(10), "no reload began");
        time.Advance(RefreshingSnapshot<string>.InvalidatedWait);
        var waited = await first;
        var next = snapshot.GetAsync(Ct).AsTask();

        Assert.Equal("v1", waited);
        Assert.True(next.IsCompleted, "a later call waited for the silent store too");
        Assert.Equal("v1", await next);
        silent.SetResult("v2");
    }

    [Fact]
    public async Task Get_ChangeAppliedWhileTheFirstCallWaitsOnASilentStore_IsServed()
    {
        var time = new FakeTimeProvider();
        var silent = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loads = 0;
        using var snapshot = new RefreshingSnapshot<string>(_ => ++loads == 1 ? ValueTask.FromResult("v1") : new ValueTask<string>(silent.Task), time);
        await snapshot.GetAsync(Ct);
        snapshot.Invalidate();

        var first = snapshot.GetAsync(Ct).AsTask();
        await Eventually.TrueAsync(() => Volatile.Read(ref loads) == 2, TimeSpan.FromSeconds(10), "no reload began");
        snapshot.Update(value => value.EndsWith("+key", StringComparison.Ordinal) ? value : value + "+key"); // e.g. a key created meanwhile
        time.Advance(RefreshingSnapshot<string>.InvalidatedWait);
        var waited = await first;
        var next = await snapshot.GetAsync(Ct);
        silent.SetResult("v2");

        Assert.Equal(("v1+key", "v1+key"), (waited, next));
        await Eventually.TrueAsync(async () => await snapshot.GetAsync(Ct) == "v2+key", TimeSpan.FromSeconds(10), "the reload that landed lost the change");
    }

    [Fact]
    public async Task Get_StoreDownBeforeAnyLoad_IsUnavailable()
    {
        using var snapshot = new RefreshingSnapshot<string>(_ => throw new ResolverException(new Problem(ErrorKind.Unavailable, Reasons.StoreUnavailable, "down")), new FakeTimeProvider());

        var exception = await Assert.ThrowsAsync<ResolverException>(async () => await snapshot.GetAsync(Ct));

        Assert.Equal(ErrorKind.Unavailable, exception.Problem.Kind);
    }

    [Fact]
    public async Task Invalidate_ReloadsOnTheNextCall()
    {
        var loads = 0;
        using var snapshot = new RefreshingSnapshot<string>(_ => ValueTask.FromResult($"v{++loads}"), new FakeTimeProvider());
        await snapshot.GetAsync(Ct);

        snapshot.Invalidate();

        Assert.Equal("v2", await snapshot.GetAsync(Ct));
    }
}
