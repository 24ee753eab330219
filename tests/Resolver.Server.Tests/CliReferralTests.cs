using System.Text.Json;
using Grpc.Core;
using Resolver.Cli;

namespace Resolver.Server.Tests;

/// <summary>
/// <c>resolver resolve</c> following the referrals of a node that does not recurse, against scriptable sites
/// (<see cref="HostileSite"/>): the same trust rules as a recursive node (docs/federation.md), anonymously.
/// </summary>
public sealed class CliReferralTests
{
    // As the node's administrator: the token must still never reach a referred site.
    private static Task<(int ExitCode, string Out, string Error)> RunAsync(TestServer node, params string[] args) => CliTests.RunAgainstAsync(node, args);

    // A node that does not recurse, delegating 88.168.5 to site: it answers the CLI with referrals there.
    private static async Task<TestServer> DelegatingAsync(HostileSite site)
    {
        var node = await TestServer.StartAsync();
        await FederationTests.DelegateAsync(node, "88.168.5", site.Address);
        return node;
    }

    [Fact]
    public async Task Resolve_ReferredTwice_FollowsToTheRecord_AnonymouslyWithTheTrace()
    {
        await using var deeper = await HostileSite.ServingAsync("https://deeper.example/");
        await using var site = await HostileSite.StartAsync(request => HostileSite.ReferralOf(request.Identifier, "88.168.5.1", deeper.Address));
        await using var node = await DelegatingAsync(site);

        var (exitCode, output, error) = await RunAsync(node, "--output", "json", "resolve", "88.168.5.1/X");

        Assert.True(exitCode == 0, error);
        var answer = JsonDocument.Parse(output).RootElement;
        Assert.Equal("88.168.5.1/X", answer.GetProperty("identifier").GetString());
        Assert.Contains("https://deeper.example/", output, StringComparison.Ordinal);
        Assert.Equal([node.GrpcAddress, site.Address, deeper.Address], answer.GetProperty("trace").EnumerateArray().Select(h => h.GetProperty("endpoint").GetString()));
        Assert.All(site.Credentials.Concat(deeper.Credentials), credential => Assert.Equal("", credential));
    }

    [Fact]
    public async Task Resolve_ReferredSiteSendsEveryPrefixElsewhere_IsNotFollowed()
    {
        await using var lure = await HostileSite.ServingAsync("https://forged.example/");
        await using var site = await HostileSite.StartAsync(request => HostileSite.ReferralOf(request.Identifier, "", lure.Address));
        await using var node = await DelegatingAsync(site);

        var (exitCode, _, error) = await RunAsync(node, "resolve", "88.168.5/BAIT");

        Assert.Equal(ExitCodes.For(StatusCode.FailedPrecondition), exitCode);
        Assert.Contains("outside prefix 88.168.5", error, StringComparison.Ordinal);
        Assert.Empty(lure.Asked);
    }

    [Fact]
    public async Task Resolve_ReferralToAShorterPrefix_IsALoopNotFollowed()
    {
        await using var forger = await HostileSite.ServingAsync("https://forged.example/");
        await using var site = await HostileSite.StartAsync(request => HostileSite.ReferralOf(request.Identifier, "88", forger.Address));
        await using var node = await DelegatingAsync(site);

        var (exitCode, _, error) = await RunAsync(node, "resolve", "88.168.5/BAIT", "88.168.5/OTHER");

        Assert.Equal(ExitCodes.For(StatusCode.FailedPrecondition), exitCode);
        Assert.Equal(2, error.Split('\n').Count(line => line.Contains("delegation loop", StringComparison.Ordinal)));
        Assert.Single(site.Credentials); // both identifiers in one call to the site
        Assert.Empty(forger.Asked);
    }

    [Fact]
    public async Task Resolve_WithNoFollow_PrintsTheReferralAndAsksNoSite()
    {
        await using var site = await HostileSite.ServingAsync("https://site.example/");
        await using var node = await DelegatingAsync(site);

        var (exitCode, output, error) = await RunAsync(node, "resolve", "--no-follow", "88.168.5/X");

        Assert.True(exitCode == 0, error);
        Assert.Contains($"referred to {site.Address} for prefix 88.168.5", output, StringComparison.Ordinal);
        Assert.Empty(site.Asked);
    }
}
