using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Resolver.Caching;
using Resolver.Core.Storage;
using Resolver.Protocol.V1;
using Resolver.Server.Configuration;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// The 2 s staleness bound whatever Redis does: two replicas on one PostgreSQL and one Redis, replica B on
/// a fake clock. After a write returns on A, B's clock moves one poll interval (500 ms of fake time, within
/// the bound) and B must then answer the new value; the real-time wait after that is only a generous
/// deadline, so the bound is proved in fake time rather than raced against the wall clock.
/// </summary>
public sealed class ChangeFeedReplicaTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan PollInterval = new Configuration.CacheTierOptions().ToChangeFeedOptions().PollInterval;

    private readonly FakeTimeProvider _bClock = new(DateTimeOffset.UtcNow);
    private RedisServer _redis = null!;
    private TestServer _a = null!;
    private TestServer _b = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(cancellationToken: Ct);
        var store = "postgres:" + await postgres.Server.CreateSchemaAsync(Ct);
        _a = await TestServer.StartAsync("--store", store, "--redis", _redis.Configuration);
        _b = await TestServer.StartAsync(services => services.AddSingleton<TimeProvider>(_bClock), "--store", store, "--redis", _redis.Configuration);
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _redis.DisposeAsync(); // resumes a paused server before killing it
    }

    [Fact]
    public async Task WriteOnA_RedisKilled_VisibleOnBAfterOnePollInterval()
    {
        await CacheOldValueOnBAsync("88.168.1/KILLED");
        await _redis.StopAsync();
        await Eventually.TrueAsync(() => !_b.Services.GetRequiredService<CacheTiers>().IsSynchronized, TimeSpan.FromSeconds(10), "B never noticed that Redis was gone");
        await Eventually.TrueAsync(async () => await UrlAsync(_b, "88.168.1/KILLED") == "https://old", TimeSpan.FromSeconds(10), "B did not serve the old value with Redis gone"); // L1 holds it again

        await UpdateOnAAsync("88.168.1/KILLED");

        await AssertVisibleOnBAfterOnePollAsync("88.168.1/KILLED");
    }

    [Fact]
    public async Task WriteOnA_RedisRestartedEmpty_VisibleOnBAfterOnePollInterval()
    {
        await CacheOldValueOnBAsync("88.168.1/RESTARTED");
        await _redis.StopAsync();
        await _redis.StartAgainAsync(Ct);

        await UpdateOnAAsync("88.168.1/RESTARTED"); // the replicas may not have reconnected and re-subscribed yet

        await AssertVisibleOnBAfterOnePollAsync("88.168.1/RESTARTED");
    }

    [Fact]
    public async Task WriteOnA_RedisHungWithSocketsOpen_VisibleOnBAfterOnePollInterval()
    {
        await CacheOldValueOnBAsync("88.168.1/HUNG");
        await _redis.PauseAsync(Ct);
        try
        {
            await UpdateOnAAsync("88.168.1/HUNG"); // A's announcement times out: B hears nothing from Redis

            await AssertVisibleOnBAfterOnePollAsync("88.168.1/HUNG");
        }
        finally
        {
            await _redis.ResumeAsync(Ct);
        }
    }

    private static async Task<string> UrlAsync(TestServer server, string identifier) =>
        (await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = identifier }, cancellationToken: Ct)).Record.Values[0].Data.Text;

    // With Redis up: A registers the record, and B serves it from its L1 (fresh for minutes on its clock).
    private async Task CacheOldValueOnBAsync(string identifier)
    {
        await _a.RegisterAsync(identifier, "https://old");
        await Eventually.TrueAsync(async () => await UrlAsync(_b, identifier) == "https://old", TimeSpan.FromSeconds(10), "B never served the registered record");
    }

    private async Task UpdateOnAAsync(string identifier)
    {
        var update = new UpdateRecordRequest { Identifier = identifier };
        update.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://new" } });
        await _a.Registry.UpdateRecordAsync(update, cancellationToken: Ct);
    }

    // The write has returned. Once B's feed waits for its next tick, move B's clock by one poll interval:
    // B's next read of the log, and so the new value, is then due. Nothing else on B's clock moves, so its
    // L1 entry of the old value would still be fresh without the feed.
    private async Task AssertVisibleOnBAfterOnePollAsync(string identifier)
    {
        var feed = _b.Services.GetRequiredService<ChangeFeed>();
        await Eventually.TrueAsync(() => feed.IsWaiting, TimeSpan.FromSeconds(10), "B's change feed never waited for its next tick");

        _bClock.Advance(PollInterval);

        await Eventually.TrueAsync(async () => await UrlAsync(_b, identifier) == "https://new", TimeSpan.FromSeconds(10), $"B still served the old value after {PollInterval.TotalMilliseconds} ms of its clock");
        Assert.True(PollInterval <= TimeSpan.FromSeconds(2));
    }
}
