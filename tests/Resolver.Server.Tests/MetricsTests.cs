using Grpc.Core;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// /metrics of a real server process after a known mix of calls: the counters move by exactly the calls made
/// (a process of its own, because meters are process-wide and other tests' servers share this one's name).
/// </summary>
[Collection(MetricsScrapes.Name)]
public sealed class MetricsTests : IAsyncLifetime
{
    private ServerProcess _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ServerProcess.StartAsync();
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        await CreateAsync("88.168.1/PUB", publicRead: true);
        await CreateAsync("88.168.1/PRIV", publicRead: false);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task CreateAsync(string identifier, bool publicRead)
    {
        var create = new CreateRecordRequest { Identifier = identifier };
        create.Values.Add(new Value
        {
            Type = "URL",
            Data = new ValueData { Text = "https://example.com/" + identifier },
            Permissions = new Permissions { AdminRead = true, AdminWrite = true, PublicRead = publicRead },
        });
        await _server.Registry.CreateRecordAsync(create, cancellationToken: Ct);
    }

    private async Task<StatusCode> ResolveAsync(string identifier)
    {
        try
        {
            await _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = identifier }, cancellationToken: Ct);
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }

    [Fact]
    public async Task Scrape_AfterAKnownMix_CountsExactlyThoseCallsAndIdentifiers()
    {
        var before = await PrometheusScrape.ReadAsync(_server.HttpAddress, Ct);

        // Unary: 3 found, 2 missing, 1 invalid, 1 denied (a record whose only value is private, asked anonymously).
        foreach (var identifier in (string[])["88.168.1/PUB", "88.168.1/PUB", "88.168.1/PUB", "88.168.1/NONE", "88.168.1/NONE", "not-an-identifier", "88.168.1/PRIV"])
        {
            await ResolveAsync(identifier);
        }

        // One batch: one of each.
        var batch = new BatchResolveRequest();
        foreach (var identifier in (string[])["88.168.1/PUB", "88.168.1/NONE2", "also bad", "88.168.1/PRIV"])
        {
            batch.Requests.Add(new ResolveRequest { Identifier = identifier });
        }

        await _server.Resolution.BatchResolveAsync(batch, cancellationToken: Ct);

        // A credential the server does not know: refused before anything is resolved.
        var stranger = new Metadata { { "authorization", "Bearer rk_unknownid_0123456789abcdef0123456789abcdef" } };
        var refused = await Assert.ThrowsAsync<RpcException>(() => _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/PUB" }, stranger, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);

        var after = await PrometheusScrape.ReadAsync(_server.HttpAddress, Ct);
        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);

        Assert.Equal(4, Delta("resolver_resolutions_total", "result=found"));
        Assert.Equal(3, Delta("resolver_resolutions_total", "result=not_found"));
        Assert.Equal(2, Delta("resolver_resolutions_total", "result=invalid"));
        Assert.Equal(2, Delta("resolver_resolutions_total", "result=denied"));
        Assert.Equal(11, Delta("resolver_resolutions_total"));

        const string Resolve = "method=resolver.v1.Resolution/Resolve";
        Assert.Equal(4, Delta("resolver_requests_total", Resolve, "code=OK"));
        Assert.Equal(2, Delta("resolver_requests_total", Resolve, "code=NOT_FOUND"));
        Assert.Equal(1, Delta("resolver_requests_total", Resolve, "code=INVALID_ARGUMENT"));
        Assert.Equal(1, Delta("resolver_requests_total", Resolve, "code=UNAUTHENTICATED"));
        Assert.Equal(1, Delta("resolver_requests_total", "method=resolver.v1.Resolution/BatchResolve", "code=OK"));
        Assert.Equal(8, Delta("resolver_request_duration_seconds_count", Resolve));

        // Every identifier that reached the records was looked up in L1 once; what L1 could not answer fresh went to the store.
        const int Looked = 4 + 3 + 2;
        Assert.Equal(Looked, Delta("resolver_cache_lookups_total", "tier=l1"));
        var l1Unanswered = Delta("resolver_cache_lookups_total", "tier=l1", "result=miss") + Delta("resolver_cache_lookups_total", "tier=l1", "result=stale");
        Assert.Equal(l1Unanswered, Delta("resolver_cache_lookups_total", "tier=store"));
        Assert.Equal(Looked - l1Unanswered, Delta("resolver_cache_lookups_total", "tier=l1", "result=hit"));
        Assert.True(l1Unanswered >= 2, $"the two never-seen missing identifiers must have reached the store, but only {l1Unanswered} lookups did");
    }

    [Fact]
    public async Task Scrape_ShowsTheCacheAndFeedGauges()
    {
        await ResolveAsync("88.168.1/PUB");
        await ResolveAsync("88.168.1/NEVER-SEEN");
        var scrape = await PrometheusScrape.ReadAsync(_server.HttpAddress, Ct);

        Assert.True(scrape.Sum("resolver_l1_entries") >= 1, "L1 holds the record just resolved");
        Assert.True(scrape.Sum("resolver_l1_bytes") > 0, "L1 is charged for it");
        Assert.True(scrape.Has("resolver_change_feed_lag_seconds"), "the change feed's lag is published");
        Assert.True(scrape.Sum("resolver_store_duration_seconds_count") >= 1, "the store read for the identifier never seen is timed");
    }
}
