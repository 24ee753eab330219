using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Security;
using Resolver.Protocol.V1;
using Resolver.Server.Api;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// Issue 25, key churn: an enterprise minting API keys as fast as it can stops at --max-keys-per-enterprise exactly,
/// and each key change is applied to the access directory by itself, here and on the other replicas, never by reading
/// every enterprise, key and grant again (which, per change, cost 31 ms per first call and grew RSS to 6.8 GB).
/// </summary>
public sealed class KeyChurnTests(PostgresFixture postgres)
{
    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task CreateApiKey_SixteenAtOnceAgainstTheCap_StopsExactlyAtItWithAnActionableRefusal(string store)
    {
        await using var server = store == "postgres"
            ? await TestServer.StartOnPostgresAsync(postgres.Server, "--max-keys-per-enterprise", "25")
            : await TestServer.StartAsync("--max-keys-per-enterprise", "25");
        var created = await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "churn" }, cancellationToken: Ct);
        var own = new Admin.AdminClient(server.As(created.ApiKey));

        // 200 creations, 16 at a time, by the enterprise itself: its first key and 24 more reach the cap.
        var outcomes = await RunSixteenAtATimeAsync(200, () => own.CreateApiKeyAsync(new CreateApiKeyRequest(), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(24, outcomes.Count(o => o.Response is not null));
        var refusals = outcomes.Where(o => o.Refusal is not null).Select(o => o.Refusal!).ToList();
        Assert.Equal(176, refusals.Count);
        Assert.All(refusals, r => Assert.Equal((StatusCode.FailedPrecondition, "too-many-keys"), (r.StatusCode, Reason(r))));
        Assert.Equal(
            "enterprise churn has 25 live API keys, the most this node allows (--max-keys-per-enterprise); revoke keys no longer in use with " +
            "`resolver key revoke KEY-ID` (`resolver key list` shows their ids and dates), then create one again",
            refusals[0].Status.Detail);
        var live = (await server.Services.GetRequiredService<IAccessStore>().ListLiveKeysAsync(Ct)).Where(k => k.Enterprise == "churn").ToList();
        Assert.Equal(25, live.Count);
        Assert.Equal(25, (await server.Services.GetRequiredService<AccessDirectory>().GetAsync(Ct)).Keys.Values.Count(k => k.Enterprise == "churn"));

        // Revoked keys do not count: revoking one makes room for exactly one more.
        var issued = outcomes.Select(o => o.Response).OfType<CreateApiKeyResponse>().ToList();
        await own.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = issued[0].KeyId }, cancellationToken: Ct);
        var again = await own.CreateApiKeyAsync(new CreateApiKeyRequest(), cancellationToken: Ct);
        var over = await Assert.ThrowsAsync<RpcException>(() => own.CreateApiKeyAsync(new CreateApiKeyRequest(), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, over.StatusCode);

        // The new key works at once; the revoked one is refused at once.
        await new Admin.AdminClient(server.As(again.ApiKey)).ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct);
        var revoked = await Assert.ThrowsAsync<RpcException>(() => new Admin.AdminClient(server.As(issued[0].ApiKey)).ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, revoked.StatusCode);
    }

    [Fact]
    public async Task KeyChanges_ManyOfThem_AreAppliedOneByOneWithoutReloadingTheDirectory()
    {
        // The directory's clock stands still, so its periodic refresh (the safety net for lost announcements) never
        // comes due: every full load counted is one a change caused.
        var frozen = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(
            services => services.AddSingleton(sp => new AccessDirectory(sp.GetRequiredService<IAccessStore>(), frozen)),
            "--max-keys-per-enterprise", "1000");
        var bystander = await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "bystander", Prefix = "88.777" }, cancellationToken: Ct);
        var churn = await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "churn", Prefix = "88.778" }, cancellationToken: Ct);
        await server.Admin.GrantReadAsync(new GrantReadRequest { Grantee = "bystander", Prefix = "88.778" }, cancellationToken: Ct);
        var directory = server.Services.GetRequiredService<AccessDirectory>();
        var before = await directory.GetAsync(Ct);
        var loads = directory.FullLoads;

        var own = new Admin.AdminClient(server.As(churn.ApiKey));
        var outcomes = await RunSixteenAtATimeAsync(300, () => own.CreateApiKeyAsync(new CreateApiKeyRequest(), cancellationToken: Ct).ResponseAsync);
        var issued = outcomes.Select(o => o.Response ?? throw o.Refusal!).ToList();
        foreach (var key in issued.Take(50))
        {
            await own.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = key.KeyId }, cancellationToken: Ct);
        }

        await server.Admin.GrantReadAsync(new GrantReadRequest { Grantee = "churn", Prefix = "88.777" }, cancellationToken: Ct);

        // Each change is visible at once: the last key issued authenticates, a revoked one does not.
        await new Admin.AdminClient(server.As(issued[^1].ApiKey)).ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct);
        var revoked = await Assert.ThrowsAsync<RpcException>(() => new Admin.AdminClient(server.As(issued[0].ApiKey)).ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, revoked.StatusCode);

        // ...and none of them read the tables again: the untouched enterprise's entries are the very same objects.
        var after = await directory.GetAsync(Ct);
        Assert.Equal(loads, directory.FullLoads);
        Assert.Equal(1 + 300 - 50 + 1, after.Keys.Count);
        Assert.Equal(1 + 300 - 50, after.Keys.Values.Count(k => k.Enterprise == "churn"));
        Assert.Same(before.Keys[bystander.KeyId], after.Keys[bystander.KeyId]);
        Assert.Same(before.Enterprises["bystander"], after.Enterprises["bystander"]);
        Assert.Same(before.GrantsOf("bystander"), after.GrantsOf("bystander"));
        Assert.Single(after.GrantsOf("churn"));
    }

    [Fact]
    public async Task KeyChangesOnOneReplica_ReachTheOtherOneByOne_WithoutReloadingItsDirectory()
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken: Ct);
        var store = "postgres:" + await postgres.Server.CreateSchemaAsync(Ct);
        var frozen = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var a = await TestServer.StartAsync("--store", store, "--redis", redis.Configuration);
        await using var b = await TestServer.StartAsync(
            services => services.AddSingleton(sp => new AccessDirectory(sp.GetRequiredService<IAccessStore>(), frozen)),
            "--store", store, "--redis", redis.Configuration);
        var churn = await a.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "churn" }, cancellationToken: Ct);
        var onB = b.Services.GetRequiredService<AccessDirectory>();
        await Eventually.TrueAsync(async () => (await onB.GetAsync(Ct)).Keys.ContainsKey(churn.KeyId), TimeSpan.FromSeconds(10), "B never saw the enterprise's first key");
        var loads = onB.FullLoads;

        var own = new Admin.AdminClient(a.As(churn.ApiKey));
        var outcomes = await RunSixteenAtATimeAsync(100, () => own.CreateApiKeyAsync(new CreateApiKeyRequest(), cancellationToken: Ct).ResponseAsync);
        var issued = outcomes.Select(o => o.Response ?? throw o.Refusal!).ToList();
        await own.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = issued[0].KeyId }, cancellationToken: Ct);

        await Eventually.TrueAsync(
            async () => (await onB.GetAsync(Ct)).Keys.Values.Count(k => k.Enterprise == "churn") == 100 && !(await onB.GetAsync(Ct)).Keys.ContainsKey(issued[0].KeyId),
            TimeSpan.FromSeconds(10),
            "B did not converge on A's 100 new keys and one revocation");
        Assert.Equal(loads, onB.FullLoads);
        await new Admin.AdminClient(b.As(issued[^1].ApiKey)).ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct);
    }

    private static async Task<List<(CreateApiKeyResponse? Response, RpcException? Refusal)>> RunSixteenAtATimeAsync(int calls, Func<Task<CreateApiKeyResponse>> create)
    {
        using var running = new SemaphoreSlim(16);
        return [.. await Task.WhenAll(Enumerable.Range(0, calls).Select(async _ =>
        {
            await running.WaitAsync(Ct);
            try
            {
                return ((CreateApiKeyResponse?)await create(), (RpcException?)null);
            }
            catch (RpcException refusal)
            {
                return (null, refusal);
            }
            finally
            {
                running.Release();
            }
        }))];
    }

    private static string Reason(RpcException exception) =>
        Problem.Parser.ParseFrom(exception.Trailers.GetValueBytes(ProblemMetadata.TrailerKey)).Reason;
}
