using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Health.V1;
using Resolver.Protocol.V1;
using Record = Resolver.Protocol.V1.Record;
using Resolver.Testing;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace Resolver.Server.Tests;

/// <summary>The store going away under a running server: cached answers go on, the rest is UNAVAILABLE, nothing is lost.</summary>
public sealed class OutageTests : IAsyncLifetime
{
    private PostgresServer _postgres = null!;
    private RedisServer _redis = null!;
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync(Ct);
        _redis = await RedisServer.StartAsync(cancellationToken: Ct);
        _server = await TestServer.StartAsync("--store", "postgres:" + _postgres.ConnectionString.Replace(";Pooling=false", "", StringComparison.Ordinal), "--redis", _redis.Configuration, "--cache-ttl-cap", "1");
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _redis.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    private Task<ResolveResult> ResolveAsync(string identifier) =>
        _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = identifier }, cancellationToken: Ct).ResponseAsync;

    private Task<Record> UpdateAsync(string identifier, string url)
    {
        var update = new UpdateRecordRequest { Identifier = identifier };
        update.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = url } });
        return _server.Registry.UpdateRecordAsync(update, cancellationToken: Ct).ResponseAsync;
    }

    [Fact]
    public async Task PostgresStopped_CachedServedStale_MissesAndWritesUnavailable_NothingLostAfterRestart()
    {
        await _server.RegisterAsync("88.168.1/P", "https://p/1");
        await UpdateAsync("88.168.1/P", "https://p/2");
        await ResolveAsync("88.168.1/P");

        await _postgres.StopAsync(Ct);

        // Past its 1 s freshness the cached record is served, marked stale, with a short TTL.
        ResolveResult? stale = null;
        await Eventually.TrueAsync(async () => (stale = await ResolveAsync("88.168.1/P")).Stale, TimeSpan.FromSeconds(10), "the cached record was never served stale");
        var miss = await Assert.ThrowsAsync<RpcException>(() => ResolveAsync("88.168.1/NEVER-SEEN"));
        var write = await Assert.ThrowsAsync<RpcException>(() => UpdateAsync("88.168.1/P", "https://p/lost"));
        var registryHealth = await new Grpc.Health.V1.Health.HealthClient(_server.Channel).CheckAsync(new HealthCheckRequest { Service = "resolver.v1.Registry" }, cancellationToken: Ct);
        var resolutionHealth = await new Grpc.Health.V1.Health.HealthClient(_server.Channel).CheckAsync(new HealthCheckRequest { Service = "resolver.v1.Resolution" }, cancellationToken: Ct);

        await _postgres.StartAgainAsync(Ct);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await UpdateAsync("88.168.1/P", "https://p/3");
                return true;
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.Unavailable)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20), "writes never succeeded after PostgreSQL came back");
        var afterRestart = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/P" }, cancellationToken: Ct);

        Assert.Equal("https://p/2", stale!.Record.Values[0].Data.Text);
        Assert.True(stale.Record.Values[0].Ttl <= 30);
        Assert.Equal(StatusCode.Unavailable, miss.StatusCode);
        Assert.Equal(StatusCode.Unavailable, write.StatusCode);
        Assert.Contains("record store is unavailable", write.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Npgsql", write.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(ServingStatus.NotServing, registryHealth.Status);
        Assert.Equal(ServingStatus.Serving, resolutionHealth.Status);
        Assert.Equal((3L, "https://p/3"), (afterRestart.Version, afterRestart.Values[0].Data.Text)); // the refused write left no trace
    }
}

/// <summary>A stalled (not dead) database: calls end at the server's own limit instead of hanging.</summary>
public sealed class StalledStoreTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resolve_StoreFrozen_IsDeadlineExceededAtTheServersLimitEvenWithoutACallerDeadline()
    {
        await using var frozenPostgres = await PostgresServer.StartAsync(Ct);
        await using var server = await TestServer.StartAsync("--store", "postgres:" + frozenPostgres.ConnectionString.Replace(";Pooling=false", "", StringComparison.Ordinal), "--max-request-seconds", "1");
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);

        await frozenPostgres.FreezeAsync(Ct);
        RpcException exception;
        try
        {
            exception = await Assert.ThrowsAsync<RpcException>(() => server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/NEVER-SEEN" }, cancellationToken: Ct).ResponseAsync);
        }
        finally
        {
            await frozenPostgres.ThawAsync(Ct);
        }

        Assert.Equal(StatusCode.DeadlineExceeded, exception.StatusCode);
        Assert.Contains("--max-request-seconds", exception.Status.Detail, StringComparison.Ordinal);
        _ = postgres; // the shared cluster is not touched: this test freezes its own
    }
}

/// <summary>A store that stops answering without an error (dropped packets): RFC 8767's stale answer client timeout.</summary>
public sealed class SilentStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resolve_CachedRecordPastFreshnessWhileTheStoreIsSilent_IsStaleWithinAOneSecondDeadlineEveryTime()
    {
        await using var silentPostgres = await PostgresServer.StartAsync(Ct);
        var clock = new ShiftedTimeProvider();
        await using var server = await TestServer.StartAsync(
            services => services.AddSingleton<TimeProvider>(clock),
            "--store", "postgres:" + silentPostgres.ConnectionString.Replace(";Pooling=false", "", StringComparison.Ordinal), "--stale-answer-timeout-ms", "500");
        await server.RegisterAsync("88.168.1/S", "https://s/1");
        await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/S" }, cancellationToken: Ct);

        await silentPostgres.FreezeAsync(Ct);
        var answers = new List<ResolveResult>();
        try
        {
            clock.Shift(TimeSpan.FromMinutes(10)); // past the 300 s freshness cap, inside the 3600 s stale window
            for (var i = 0; i < 4; i++)
            {
                answers.Add(await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/S" }, deadline: DateTime.UtcNow.AddSeconds(1), cancellationToken: Ct));
            }
        }
        finally
        {
            await silentPostgres.ThawAsync(Ct);
        }

        Assert.All(answers, a => Assert.True(a.Stale));
        Assert.All(answers, a => Assert.Equal("https://s/1", a.Record.Values[0].Data.Text));
        await Eventually.TrueAsync(async () => !(await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/S" }, cancellationToken: Ct)).Stale,
            TimeSpan.FromSeconds(20), "the store came back but answers stayed stale");
    }
}

/// <summary>A replica started while the shared store is down (a pod rescheduled during a database incident).</summary>
public sealed class StartWithoutStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_StoreDown_ServesTheSharedCacheAndGoesReadyByItselfWhenTheStoreReturns()
    {
        await using var postgres = await PostgresServer.StartAsync(Ct);
        await using var redis = await RedisServer.StartAsync(cancellationToken: Ct);
        string[] shared = ["--store", "postgres:" + postgres.ConnectionString.Replace(";Pooling=false", "", StringComparison.Ordinal), "--redis", redis.Configuration];
        await using var a = await TestServer.StartAsync(shared);
        await a.RegisterAsync("88.168.1/C", "https://c/1");
        await a.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/C" }, cancellationToken: Ct);
        await postgres.StopAsync(Ct);

        await using var b = await TestServer.StartAsync(shared);
        var health = new Grpc.Health.V1.Health.HealthClient(b.Channel);
        var registryWhileDown = (await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest { Service = "resolver.v1.Registry" }, cancellationToken: Ct)).Status;
        var resolutionWhileDown = (await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest { Service = "resolver.v1.Resolution" }, cancellationToken: Ct)).Status;
        var cached = await b.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/C" }, cancellationToken: Ct);
        var miss = await Assert.ThrowsAsync<RpcException>(() => b.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/NEVER-SEEN" }, cancellationToken: Ct).ResponseAsync);
        var create = new CreateRecordRequest { Identifier = "88.168.1/D" };
        create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://d" } });
        var write = await Assert.ThrowsAsync<RpcException>(() => b.Registry.CreateRecordAsync(create, cancellationToken: Ct).ResponseAsync);

        await postgres.StartAgainAsync(Ct);
        await Eventually.TrueAsync(async () =>
            (await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest { Service = "resolver.v1.Registry" }, cancellationToken: Ct)).Status == ServingStatus.Serving,
            TimeSpan.FromSeconds(30), "the replica never became ready after the store returned");
        var written = await b.Registry.CreateRecordAsync(create, cancellationToken: Ct);

        Assert.Equal((ServingStatus.NotServing, ServingStatus.Serving), (registryWhileDown, resolutionWhileDown));
        Assert.Equal("https://c/1", cached.Record.Values[0].Data.Text);
        Assert.Equal(StatusCode.Unavailable, miss.StatusCode);
        Assert.Equal(StatusCode.Unavailable, write.StatusCode);
        Assert.Equal(1, written.Version);
    }
}
