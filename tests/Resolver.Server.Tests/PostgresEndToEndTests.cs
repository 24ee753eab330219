using Grpc.Core;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>The server on <c>--store postgres:…</c>: the same behaviour as on the embedded store.</summary>
public sealed class PostgresEndToEndTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RegisterResolveRestart_OnPostgres_Persists()
    {
        await using var server = await TestServer.StartOnPostgresAsync(postgres.Server);
        await server.RegisterAsync("88.168.1/ABC-001", "https://example.com/1");

        await server.StopAsync();
        await server.StartAgainAsync();
        var result = await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/abc-001" }, cancellationToken: Ct);

        Assert.Equal("https://example.com/1", result.Record.Values[0].Data.Text);
        Assert.Equal(["88.168.1"], (await server.Resolution.GetServerInfoAsync(new GetServerInfoRequest(), cancellationToken: Ct)).HomedPrefixes);
    }

    [Fact]
    public async Task BatchResolve_OnPostgres_AnswersInOrderWithOwnStatuses()
    {
        await using var server = await TestServer.StartOnPostgresAsync(postgres.Server);
        await server.RegisterAsync("88.168.1/A", "https://a");
        var request = new BatchResolveRequest();
        request.Requests.AddRange(Enumerable.Range(0, 1000).Select(i => new ResolveRequest { Identifier = i % 2 == 0 ? "88.168.1/a" : $"88.168.1/m{i}" }));

        var response = await server.Resolution.BatchResolveAsync(request, cancellationToken: Ct);

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i % 2 == 0 ? 0 : (int)StatusCode.NotFound), response.Results.Select(r => r.Status.Code));
    }

    [Fact]
    public async Task Update_ConcurrentWritersOnPostgres_AllLand()
    {
        await using var server = await TestServer.StartOnPostgresAsync(postgres.Server);
        await server.RegisterAsync("88.168.1/X", "https://x");

        await Task.WhenAll(Enumerable.Range(1, 10).Select(async i =>
        {
            var update = new UpdateRecordRequest { Identifier = "88.168.1/X" };
            update.Values.Add(new Value { Type = $"t{i}", Data = new ValueData { Text = "v" } });
            await server.Registry.UpdateRecordAsync(update, cancellationToken: Ct);
        }));

        var record = await server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/X" }, cancellationToken: Ct);
        Assert.Equal((11L, 11), (record.Version, record.Values.Count));
    }

    [Fact]
    public async Task AwkwardText_OnPostgres_IsInvalidArgumentNotUnavailable()
    {
        await using var server = await TestServer.StartOnPostgresAsync(postgres.Server);
        await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct);
        var other = (await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "bolt", Prefix = "88.170.1" }, cancellationToken: Ct)).ApiKey;
        var nulValue = new CreateRecordRequest { Identifier = "88.168.1/NUL" };
        nulValue.Values.Add(new Value { Type = "note", Data = new ValueData { Text = "a\0b" } });

        // A refused write whose identifier is invalid, or long enough that the audit log must cut it, is still just refused.
        var nul = await Assert.ThrowsAsync<RpcException>(() => server.Registry.CreateRecordAsync(nulValue, cancellationToken: Ct).ResponseAsync);
        var nulIdentifier = await Assert.ThrowsAsync<RpcException>(() => new Registry.RegistryClient(server.As(other)).CreateRecordAsync(new CreateRecordRequest { Identifier = "88.168.1/a\0b" }, cancellationToken: Ct).ResponseAsync);
        var emoji = await Assert.ThrowsAsync<RpcException>(() => new Registry.RegistryClient(server.As(other)).CreateRecordAsync(new CreateRecordRequest { Identifier = "88.168.1/" + string.Concat(Enumerable.Repeat("😀", 124)) }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, nul.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, nulIdentifier.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, emoji.StatusCode);
        var audit = await server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 5 }, cancellationToken: Ct);
        Assert.Contains(audit.Entries, e => e.Target == "88.168.1/a\\u0000b" && e.Outcome == "INVALID_ARGUMENT");
    }

    [Fact]
    public async Task CreateEnterprise_UnderAnotherEnterprisesPrefix_IsRefusedAndCreatesNothing()
    {
        await using var server = await TestServer.StartOnPostgresAsync(postgres.Server);
        await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct);

        var refused = await Assert.ThrowsAsync<RpcException>(() => server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "squatter", Prefix = "88.168.1.7" }, cancellationToken: Ct).ResponseAsync);
        var enterprises = await server.Admin.ListEnterprisesAsync(new ListEnterprisesRequest(), cancellationToken: Ct);

        Assert.Equal(StatusCode.AlreadyExists, refused.StatusCode);
        Assert.Equal(["acme"], enterprises.Enterprises.Select(e => e.Name));
    }
}
