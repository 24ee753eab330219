using Grpc.Core;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests.Handle;

/// <summary>
/// Referrals over the Handle protocol (issue 24 item 5, docs/handle-protocol.md "Handle sites"): a node whose upstream is
/// a Handle server that holds prefix handles (here a Resolver node, as a root would) and answers 301 for an identifier
/// follows the HS_SITE of <c>0.NA/PREFIX</c> there to the prefix's site, under the federation's trust rules.
/// </summary>
public sealed class HandleReferralTests : IAsyncLifetime
{
    private TestServer _site = null!;
    private TestServer _root = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _site = await TestServer.StartAsync();
        await _site.RegisterAsync("88.300/A", "https://example.com/A");

        // The root serves no record: it delegates 88.300 to the site's Handle listener and, without REC, answers 301.
        _root = await TestServer.StartAsync();
        await _root.Admin.DelegatePrefixAsync(new DelegatePrefixRequest { Prefix = "88.300", Sites = { _site.HandleAddress }, Ttl = 60 }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _root.DisposeAsync();
        await _site.DisposeAsync();
    }

    private static Task<ResolveResult> ResolveAsync(TestServer node, string identifier) =>
        node.Resolution.ResolveAsync(new ResolveRequest { Identifier = identifier }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct).ResponseAsync;

    [Fact]
    public async Task HandleUpstreamAnswers301_NodeFollowsThePrefixHandlesSite()
    {
        await using var node = await TestServer.StartAsync("--recursive", "true", "--upstream", _root.HandleAddress, "--site-timeout-ms", "3000");

        var answer = await ResolveAsync(node, "88.300/A");
        var missing = await Assert.ThrowsAsync<RpcException>(() => ResolveAsync(node, "88.300/NONE"));

        Assert.Equal(["https://example.com/A"], answer.Record.Values.Select(v => v.Data.Text));
        Assert.Equal([_root.HandleAddress, _site.HandleAddress], answer.Trace.Select(hop => hop.Endpoint).Where(endpoint => endpoint.StartsWith("hdl:", StringComparison.Ordinal)));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ReferralToAServerTheAllowListRefuses_IsNotFollowed()
    {
        await using var node = await TestServer.StartAsync("--recursive", "true", "--upstream", _root.HandleAddress, "--site-allow", "192.0.2.0/24", "--site-timeout-ms", "3000");

        var refused = await Assert.ThrowsAsync<RpcException>(() => ResolveAsync(node, "88.300/A"));

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains(_site.HandleAddress, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("--site-allow", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DelegatedSiteAnswers301_StaysALameDelegation()
    {
        // The root delegates 88.300 to the site; this node delegates 88.300 to the root, which does not serve it itself:
        // the root names the site in 0.NA/88.300, but a delegation's site may only answer for its prefix, not refer it on.
        await using var node = await TestServer.StartAsync("--recursive", "true", "--site-timeout-ms", "3000");
        await node.Admin.DelegatePrefixAsync(new DelegatePrefixRequest { Prefix = "88.300", Sites = { _root.HandleAddress }, Ttl = 60 }, cancellationToken: Ct);

        var lame = await Assert.ThrowsAsync<RpcException>(() => ResolveAsync(node, "88.300/A"));

        Assert.Equal(StatusCode.FailedPrecondition, lame.StatusCode);
        Assert.Contains(_root.HandleAddress, lame.Status.Detail, StringComparison.Ordinal);
    }
}
