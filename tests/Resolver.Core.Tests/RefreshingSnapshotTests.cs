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
        var again = await snapshot.GetAsync(Ct);
        var loadsWhileDown = loads;

        down = false;
        time.Advance(RefreshingSnapshot<string>.RefreshInterval + TimeSpan.FromSeconds(1));
        var after = await snapshot.GetAsync(Ct);

        Assert.Equal(("v1", "v1"), (during, again));
        Assert.Equal(2, loadsWhileDown);
        Assert.Equal("v3", after);
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
