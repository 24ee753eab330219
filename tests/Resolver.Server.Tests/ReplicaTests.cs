using Grpc.Core;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>Two replicas sharing one Redis and one PostgreSQL, as in production.</summary>
public sealed class ReplicaTests(PostgresFixture postgres) : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private TestServer _a = null!;
    private TestServer _b = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(cancellationToken: Ct);
        var store = "postgres:" + await postgres.Server.CreateSchemaAsync(Ct);
        _a = await TestServer.StartAsync("--store", store, "--redis", _redis.Configuration);
        _b = await TestServer.StartAsync("--store", store, "--redis", _redis.Configuration);
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private static async Task<string> UrlAsync(TestServer server, string identifier) =>
        (await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = identifier }, cancellationToken: Ct)).Record.Values[0].Data.Text;

    [Fact]
    public async Task WriteOnA_ReadOnB_SeesTheNewValueWithinTheDocumentedBound()
    {
        await _a.RegisterAsync("88.168.1/X", "https://old");
        Assert.Equal("https://old", await UrlAsync(_b, "88.168.1/X")); // B now caches the old record

        var update = new UpdateRecordRequest { Identifier = "88.168.1/X" };
        update.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://new" } });
        await _a.Registry.UpdateRecordAsync(update, cancellationToken: Ct);

        // docs/caching.md's bound, 2 s, which ChangeFeedReplicaTests proves on a fake clock whatever Redis does. The Redis
        // announcement usually brings it in milliseconds, but a deadline below the bound proves nothing more (the change
        // feed alone, polled every 500 ms, would meet it too) and fails on a busy machine.
        await Eventually.TrueAsync(async () => await UrlAsync(_b, "88.168.1/X") == "https://new", TimeSpan.FromSeconds(2), "B still served the old value 2 s after the write, with Redis up");
    }

    [Fact]
    public async Task DelegateOnA_ResolveOnB_ReferredWithinTheBoundAndUndelegatedLikewise()
    {
        await _a.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.175" }, cancellationToken: Ct);
        Assert.Equal(StatusCode.NotFound, await StatusOnBAsync()); // B has loaded its prefix table: 88.175.2 is under the homed 88.175

        await _a.Admin.DelegatePrefixAsync(new DelegatePrefixRequest { Prefix = "88.175.2", Sites = { "https://secondary.example:5443" } }, cancellationToken: Ct);
        await Eventually.TrueAsync(async () => await StatusOnBAsync() == StatusCode.OK, TimeSpan.FromSeconds(2), "B did not refer 88.175.2 to its site 2 s after A delegated it");

        await _a.Admin.UndelegatePrefixAsync(new UndelegatePrefixRequest { Prefix = "88.175.2" }, cancellationToken: Ct);
        await Eventually.TrueAsync(async () => await StatusOnBAsync() == StatusCode.NotFound, TimeSpan.FromSeconds(2), "B still referred 88.175.2 2 s after A removed the delegation");
    }

    // OK is a referral (the prefix is delegated); NOT_FOUND is an answer from the homed parent.
    private async Task<StatusCode> StatusOnBAsync()
    {
        try
        {
            var answer = await _b.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.175.2/X" }, cancellationToken: Ct);
            return answer.Referral is null ? StatusCode.Unknown : StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }

    [Fact]
    public async Task BatchResolve_1000IdsMissingL1_CostsOneRedisRoundTripAndAtMostOneSqlQuery()
    {
        await _a.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        var batch = new BatchResolveRequest();
        for (var i = 0; i < 1000; i++)
        {
            var identifier = $"88.168.1/B{i}";
            if (i % 2 == 0)
            {
                var create = new CreateRecordRequest { Identifier = identifier };
                create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = $"https://b/{i}" } });
                await _a.Registry.CreateRecordAsync(create, cancellationToken: Ct);
            }

            batch.Requests.Add(new ResolveRequest { Identifier = identifier });
        }

        using var redisReads = new CounterWatch(_b, "resolver.redis.reads");
        using var storeReads = new CounterWatch(_b, "resolver.store.reads");
        var response = await _b.Resolution.BatchResolveAsync(batch, cancellationToken: Ct);

        Assert.Equal(1, redisReads.Total);
        Assert.InRange(storeReads.Total, 0, 1);
        Assert.Equal(500, response.Results.Count(r => r.Status.Code == 0));
        Assert.Equal(500, response.Results.Count(r => r.Status.Code == (int)StatusCode.NotFound));
    }

    [Fact]
    public async Task RedisKilled_ResolvesAndWritesKeepWorking_AndL2IsUsedAgainWhenBack()
    {
        await _a.RegisterAsync("88.168.1/R1", "https://r1");
        await _a.RegisterAsync("88.168.1/R2", "https://r2");
        Assert.Equal("https://r1", await UrlAsync(_a, "88.168.1/R1"));

        await _redis.StopAsync();
        var cached = await UrlAsync(_a, "88.168.1/R1");
        var uncached = await UrlAsync(_b, "88.168.1/R2");
        var update = new UpdateRecordRequest { Identifier = "88.168.1/R1" };
        update.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://r1-new" } });
        await _a.Registry.UpdateRecordAsync(update, cancellationToken: Ct);

        await _redis.StartAgainAsync(Ct);
        using var redisReads = new CounterWatch(_b, "resolver.redis.reads");
        await Eventually.TrueAsync(async () =>
        {
            await UrlAsync(_b, "88.168.1/R2");
            return redisReads.Total > 0;
        }, TimeSpan.FromSeconds(20), "B never used Redis again after it came back");

        Assert.Equal(("https://r1", "https://r2"), (cached, uncached));
        await Eventually.TrueAsync(async () => await UrlAsync(_b, "88.168.1/R1") == "https://r1-new", TimeSpan.FromSeconds(5), "B never saw the write made while Redis was down");
    }
}
