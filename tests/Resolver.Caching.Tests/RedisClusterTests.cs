using Microsoft.Extensions.Time.Testing;
using Resolver.Testing;

namespace Resolver.Caching.Tests;

/// <summary>The L2 on a real three-master Redis Cluster on loopback: keys spread over slots, MGET grouped by slot.</summary>
public sealed class RedisClusterTests : IAsyncLifetime
{
    private readonly List<RedisServer> _nodes = [];
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            _nodes.Add(await RedisServer.StartAsync("cluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 2000", Ct));
        }

        await RedisServer.CreateClusterAsync(_nodes, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task FillAndGetMany_KeysAcrossSlots_AllRoundTripWithOneMgetPerSlotGroup()
    {
        var options = new CacheOptions();
        await using var tiers = CacheHarness.Tiers(options, _time, string.Join(',', _nodes.Select(n => n.Configuration)));
        var keys = Enumerable.Range(0, 200).Select(i => $"88.1/c{i}").ToArray();
        await tiers.Redis!.FillAsync([.. keys.Select((k, i) => (k, CacheEntry.For(CacheHarness.Record(k, i + 1), _time.GetUtcNow(), options)))], _time.GetUtcNow());
        using var reads = new CounterWatch(tiers.Metrics, "resolver.redis.reads");

        var entries = await tiers.Redis.GetManyAsync(keys);

        Assert.NotNull(entries);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), entries.Select(e => e!.Version));
        Assert.True(reads.Total > 1, "a cross-slot batch must be split by slot");
    }
}
