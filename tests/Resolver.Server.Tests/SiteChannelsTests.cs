using Microsoft.Extensions.Time.Testing;
using Resolver.Federation;

namespace Resolver.Server.Tests;

/// <summary>The bounded set of site channels: however many endpoints referrals name, no more than the bound stay open.</summary>
public sealed class SiteChannelsTests
{
    private static readonly GrpcSiteOptions Options = new(TimeSpan.FromSeconds(2));

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Acquire_MoreEndpointsThanTheBound_KeepsTheBound()
    {
        using var channels = new SiteChannels(Options, _time);

        for (var i = 0; i < SiteChannels.MaxChannels + 100; i++)
        {
            using var lease = channels.Acquire($"http://127.0.0.1:{10_000 + i}");
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(SiteChannels.MaxChannels, channels.Count);
    }

    [Fact]
    public void Acquire_AfterTheIdleTimeout_ClosesChannelsNobodyUsed_ButNotOneInUse()
    {
        using var channels = new SiteChannels(Options, _time);
        using (channels.Acquire("http://127.0.0.1:10001"))
        {
        }

        using var held = channels.Acquire("http://127.0.0.1:10002");
        _time.Advance(SiteChannels.IdleTimeout + TimeSpan.FromSeconds(1));
        using var fresh = channels.Acquire("http://127.0.0.1:10003");

        Assert.Equal(2, channels.Count); // the idle one closed; the held one and the new one open
        Assert.NotNull(held.Client);
    }
}
