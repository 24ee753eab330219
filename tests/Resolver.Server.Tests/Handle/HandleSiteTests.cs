using Grpc.Core;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests.Handle;

/// <summary>
/// A Handle server as a delegation's site (issue 24, SPEC §4): a recursive node whose 88.300 is delegated to
/// <c>hdl://</c> another node's Handle listener resolves single, batch and stream through it, with what a gRPC site has:
/// caching, the trace, serve-stale while the site is down, and a per-item UNAVAILABLE naming the site for what it never held.
/// </summary>
public sealed class HandleSiteTests : IAsyncLifetime
{
    private const int RecordTtl = 2;
    private TestServer _site = null!;
    private TestServer _recursive = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _site = await TestServer.StartAsync();
        await _site.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.300" }, cancellationToken: Ct);
        foreach (var suffix in (string[])["A", "B", "C"])
        {
            var create = new CreateRecordRequest { Identifier = $"88.300/{suffix}" };
            create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = $"https://example.com/{suffix}" }, Ttl = RecordTtl });
            create.Values.Add(new Value { Type = "EMAIL", Data = new ValueData { Text = $"{suffix}@example.com" }, Ttl = RecordTtl });
            await _site.Registry.CreateRecordAsync(create, cancellationToken: Ct);
        }

        _recursive = await TestServer.StartAsync("--recursive", "true", "--site-timeout-ms", "3000");
        await _recursive.Admin.DelegatePrefixAsync(new DelegatePrefixRequest { Prefix = "88.300", Sites = { _site.HandleAddress }, Ttl = 60 }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _recursive.DisposeAsync();
        await _site.DisposeAsync();
    }

    private Task<ResolveResult> ResolveAsync(string identifier, params string[] types)
    {
        var request = new ResolveRequest { Identifier = identifier };
        request.Types_.AddRange(types);
        return _recursive.Resolution.ResolveAsync(request, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct).ResponseAsync;
    }

    [Fact]
    public async Task RecursiveNode_ResolvesSingleBatchAndStream_AtTheHandleSite()
    {
        var single = await ResolveAsync("88.300/a", "URL");

        var batch = new BatchResolveRequest();
        batch.Requests.Add(new ResolveRequest { Identifier = "88.300/B" });
        batch.Requests.Add(new ResolveRequest { Identifier = "88.300/NONE" });
        var answers = await _recursive.Resolution.BatchResolveAsync(batch, cancellationToken: Ct);

        using var stream = _recursive.Resolution.ResolveStream(cancellationToken: Ct);
        await stream.RequestStream.WriteAsync(new ResolveRequest { Identifier = "88.300/C" }, Ct);
        await stream.RequestStream.CompleteAsync();
        Assert.True(await stream.ResponseStream.MoveNext(Ct));
        var streamed = stream.ResponseStream.Current;

        Assert.Equal(["https://example.com/A"], single.Record.Values.Select(v => v.Data.Text));
        Assert.Contains(single.Trace, hop => hop.Endpoint == _site.HandleAddress && hop.Code == 0);
        Assert.Equal(["URL", "EMAIL"], answers.Results[0].Record.Values.Select(v => v.Type));
        Assert.Equal((int)StatusCode.NotFound, answers.Results[1].Status.Code);
        Assert.Equal("identifier-not-found", answers.Results[1].Status.Problem.Reason);
        Assert.Equal("C@example.com", streamed.Record.Values.Single(v => v.Type == "EMAIL").Data.Text);
    }

    [Fact]
    public async Task HandleSiteDown_CachedAnswersAreStale_UncachedAreUnavailableNamingTheSite()
    {
        Assert.False((await ResolveAsync("88.300/B")).Stale); // now cached at the recursive node
        var siteAddress = _site.HandleAddress;
        await _site.StopAsync();

        // Past the values' TTL the recursive node must ask again, cannot, and serves what it holds, marked stale.
        await Eventually.TrueAsync(async () => (await ResolveAsync("88.300/B")).Stale, TimeSpan.FromSeconds(RecordTtl + 8), "no stale answer after the Handle site stopped");
        var failure = await Assert.ThrowsAsync<RpcException>(() => ResolveAsync("88.300/NEVER-CACHED"));

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Contains(siteAddress, failure.Status.Detail, StringComparison.Ordinal);
        await _site.StartAgainAsync(); // for DisposeAsync
    }
}
