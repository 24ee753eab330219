using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>A batch spread over delegated sites costs exactly one upstream call per site (issue 10; counted from each site's /metrics).</summary>
[Collection(MetricsScrapes.Name)]
public sealed class FederationBatchTests : IAsyncLifetime
{
    private ServerProcess _top = null!;
    private ServerProcess[] _sites = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var started = await Task.WhenAll(ServerProcess.StartAsync("--recursive", "true"), ServerProcess.StartAsync(), ServerProcess.StartAsync(), ServerProcess.StartAsync());
        (_top, _sites) = (started[0], started[1..]);
        for (var i = 0; i < _sites.Length; i++)
        {
            var prefix = $"88.168.{i + 1}";
            await _sites[i].Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = prefix }, cancellationToken: Ct);
            var delegation = new DelegatePrefixRequest { Prefix = prefix };
            delegation.Sites.Add(_sites[i].GrpcAddress);
            await _top.Admin.DelegatePrefixAsync(delegation, cancellationToken: Ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in (ServerProcess[])[_top, .. _sites])
        {
            await node.DisposeAsync();
        }
    }

    private static async Task<double> BatchCallsAsync(ServerProcess site) =>
        (await PrometheusScrape.ReadAsync(site.HttpAddress, Ct)).Sum("resolver_requests_total", "method=resolver.v1.Resolution/BatchResolve");

    [Fact]
    public async Task Batch_OfAThousandOverThreeSites_CostsOneCallPerSite()
    {
        var before = await Task.WhenAll(_sites.Select(BatchCallsAsync));
        var batch = new BatchResolveRequest();
        batch.Requests.AddRange(Enumerable.Range(0, 1000).Select(i => new ResolveRequest { Identifier = $"88.168.{(i % 3) + 1}/ITEM-{i}" }));

        var answer = await _top.Resolution.BatchResolveAsync(batch, cancellationToken: Ct);

        Assert.Equal(1000, answer.Results.Count);
        Assert.All(answer.Results, r => Assert.Equal(5, r.Status.Code)); // none registered: each site answered not found
        var after = await Task.WhenAll(_sites.Select(BatchCallsAsync));
        Assert.Equal([1, 1, 1], after.Zip(before, (a, b) => a - b));
    }
}
