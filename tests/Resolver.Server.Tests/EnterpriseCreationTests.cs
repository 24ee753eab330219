using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Protocol.V1;
using Resolver.Server.Api;
using Resolver.Testing;
using AccessStore = Resolver.Core.Security.IAccessStore;

namespace Resolver.Server.Tests;

/// <summary>CreateEnterprise is one transaction, on the embedded store and on PostgreSQL: racing creations for nested prefixes never both succeed, and a refused one leaves nothing behind.</summary>
public sealed class EnterpriseCreationTests(PostgresFixture postgres)
{
    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task CreateEnterprise_RacingPairsForNestedPrefixes_NeverBothSucceed(string store)
    {
        await using var server = await StartAsync(store);

        for (var pair = 0; pair < 10; pair++)
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var outer = Task.Run(async () => { await gate.Task; return await StatusOfAsync(server, $"outer{pair}", $"88.300.{pair}"); }, Ct);
            var inner = Task.Run(async () => { await gate.Task; return await StatusOfAsync(server, $"inner{pair}", $"88.300.{pair}.1"); }, Ct);
            gate.SetResult();

            var statuses = await Task.WhenAll(outer, inner);

            Assert.Equal([StatusCode.OK, StatusCode.AlreadyExists], statuses.Order());
        }

        // Ten winners, each owning its prefix; the losers do not exist.
        var enterprises = (await server.Admin.ListEnterprisesAsync(new ListEnterprisesRequest(), cancellationToken: Ct)).Enterprises;
        Assert.Equal(10, enterprises.Count);
        Assert.All(enterprises, e => Assert.Single(e.Prefixes));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task CreateEnterprise_PrefixUnderAnOwnedOne_IsRefusedAndLeavesNothingBehind(string store)
    {
        await using var server = await StartAsync(store);
        await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "first", Prefix = "88.310" }, cancellationToken: Ct);

        var refused = await Assert.ThrowsAsync<RpcException>(() => server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "second", Prefix = "88.310.5" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal((StatusCode.AlreadyExists, "prefix-owned"), (refused.StatusCode, Reason(refused)));
        Assert.Contains("belongs to enterprise first", refused.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("88.310.5", (await server.Admin.ListPrefixesAsync(new ListPrefixesRequest(), cancellationToken: Ct)).Prefixes.Select(p => p.Prefix));
        Assert.Equal(["first"], (await server.Admin.ListEnterprisesAsync(new ListEnterprisesRequest(), cancellationToken: Ct)).Enterprises.Select(e => e.Name));
        Assert.DoesNotContain(await server.Services.GetRequiredService<AccessStore>().ListKeysAsync(Ct), k => k.Enterprise == "second");

        // The name is free: created with a free prefix, its first key writes there.
        var created = await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "second", Prefix = "88.311" }, cancellationToken: Ct);
        var record = new CreateRecordRequest { Identifier = "88.311/A" };
        record.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://second" } });
        await new Registry.RegistryClient(server.As(created.ApiKey)).CreateRecordAsync(record, cancellationToken: Ct);

        var audit = (await server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 50 }, cancellationToken: Ct)).Entries;
        Assert.Contains(audit, e => e is { Operation: "create-enterprise", Target: "second", Outcome: "ALREADY_EXISTS" });
        Assert.Contains(audit, e => e is { Operation: "create-enterprise", Target: "second 88.311", Outcome: "OK" });
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task CreateEnterprise_PrefixAboveAnOwnedOne_IsRefusedNamingTheNestedPrefix(string store)
    {
        await using var server = await StartAsync(store);
        await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "first", Prefix = "88.320.1" }, cancellationToken: Ct);

        var refused = await Assert.ThrowsAsync<RpcException>(() => server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "second", Prefix = "88.320" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal((StatusCode.AlreadyExists, "prefix-owned"), (refused.StatusCode, Reason(refused)));
        Assert.Contains("contains 88.320.1, which belongs to enterprise first", refused.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("88.320", (await server.Admin.ListPrefixesAsync(new ListPrefixesRequest(), cancellationToken: Ct)).Prefixes.Select(p => p.Prefix));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task CreateEnterprise_NameTaken_IsRefusedAndHomesNothing(string store)
    {
        await using var server = await StartAsync(store);
        await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "first", Prefix = "88.330" }, cancellationToken: Ct);

        var refused = await Assert.ThrowsAsync<RpcException>(() => server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "FIRST", Prefix = "88.331" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal((StatusCode.AlreadyExists, "enterprise-exists"), (refused.StatusCode, Reason(refused)));
        Assert.Equal(["88.330"], (await server.Admin.ListPrefixesAsync(new ListPrefixesRequest(), cancellationToken: Ct)).Prefixes.Select(p => p.Prefix));
        Assert.Single(await server.Services.GetRequiredService<AccessStore>().ListKeysAsync(Ct));
    }

    private Task<TestServer> StartAsync(string store) =>
        store == "postgres" ? TestServer.StartOnPostgresAsync(postgres.Server) : TestServer.StartAsync();

    private static async Task<StatusCode> StatusOfAsync(TestServer server, string name, string prefix)
    {
        try
        {
            await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = name, Prefix = prefix }, cancellationToken: Ct);
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }

    private static string Reason(RpcException exception) =>
        Problem.Parser.ParseFrom(exception.Trailers.GetValueBytes(ProblemMetadata.TrailerKey)).Reason;
}
