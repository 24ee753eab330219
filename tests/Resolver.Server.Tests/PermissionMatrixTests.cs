using Grpc.Core;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// Who may do what, cell by cell: callers (anonymous, owner, another enterprise, a grantee, the admin) ×
/// entry points. A new entry point (REST, Watch, export) joins by adding one row to <see cref="Writes"/>
/// or <see cref="Reads"/>. Every refused cell is proven to leave the store unchanged.
/// </summary>
public sealed class PermissionMatrixTests(PermissionMatrixTests.World world) : IClassFixture<PermissionMatrixTests.World>
{
    private const StatusCode Ok = StatusCode.OK;
    private const StatusCode Unauthenticated = StatusCode.Unauthenticated;
    private const StatusCode Denied = StatusCode.PermissionDenied;

    public static readonly string[] Callers = ["anonymous", "owner", "other", "grantee", "admin"];

    /// <summary>Write entry points: the expected status for each caller, in <see cref="Callers"/> order.</summary>
    private static readonly Dictionary<string, (StatusCode[] Expected, Func<World, string, Task>? Arrange, Func<World, CallInvoker, string, Task> Run)> Writes = new()
    {
        ["create"] = ([Unauthenticated, Ok, Denied, Denied, Ok], null, (w, as_, cell) =>
            new Registry.RegistryClient(as_).CreateRecordAsync(Create($"88.168.1/new-{cell}"), cancellationToken: Ct).ResponseAsync),
        ["update"] = ([Unauthenticated, Ok, Denied, Denied, Ok], (w, cell) => w.SeedAsync($"88.168.1/upd-{cell}"), async (w, as_, cell) =>
        {
            var update = new UpdateRecordRequest { Identifier = $"88.168.1/upd-{cell}" };
            update.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://changed" } });
            await new Registry.RegistryClient(as_).UpdateRecordAsync(update, cancellationToken: Ct);
        }),
        ["delete"] = ([Unauthenticated, Ok, Denied, Denied, Ok], (w, cell) => w.SeedAsync($"88.168.1/del-{cell}"), async (w, as_, cell) =>
        {
            await new Registry.RegistryClient(as_).DeleteRecordAsync(new DeleteRecordRequest { Identifier = $"88.168.1/del-{cell}" }, cancellationToken: Ct);
        }),
        ["home"] = ([Unauthenticated, Denied, Denied, Denied, Ok], null, (w, as_, cell) =>
            new Admin.AdminClient(as_).HomePrefixAsync(new HomePrefixRequest { Prefix = $"88.199.{cell.Length}{cell[0]}" }, cancellationToken: Ct).ResponseAsync),
        ["grant"] = ([Unauthenticated, Ok, Denied, Denied, Ok], null, (w, as_, cell) =>
        {
            var grant = new GrantReadRequest { Grantee = "other", Prefix = $"88.168.1.{cell}" };
            return new Admin.AdminClient(as_).GrantReadAsync(grant, cancellationToken: Ct).ResponseAsync;
        }),
        ["create-enterprise"] = ([Unauthenticated, Denied, Denied, Denied, Ok], null, (w, as_, cell) =>
            new Admin.AdminClient(as_).CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = $"new-{cell}" }, cancellationToken: Ct).ResponseAsync),
    };

    /// <summary>Read entry points: how many of the shared record's two values (public URL, private batch) each caller sees.</summary>
    private static readonly Dictionary<string, (int[] Visible, Func<CallInvoker, Task<int>> Run)> Reads = new()
    {
        ["resolve"] = ([1, 2, 1, 2, 2], async as_ =>
            (await new Resolution.ResolutionClient(as_).ResolveAsync(new ResolveRequest { Identifier = World.Shared }, cancellationToken: Ct)).Record.Values.Count),
        ["batch"] = ([1, 2, 1, 2, 2], async as_ =>
        {
            var batch = new BatchResolveRequest();
            batch.Requests.Add(new ResolveRequest { Identifier = World.Shared });
            return (await new Resolution.ResolutionClient(as_).BatchResolveAsync(batch, cancellationToken: Ct)).Results[0].Record.Values.Count;
        }),
        ["stream"] = ([1, 2, 1, 2, 2], async as_ =>
        {
            using var call = new Resolution.ResolutionClient(as_).ResolveStream(cancellationToken: Ct);
            await call.RequestStream.WriteAsync(new ResolveRequest { Identifier = World.Shared }, Ct);
            await call.RequestStream.CompleteAsync();
            Assert.True(await call.ResponseStream.MoveNext(Ct));
            return call.ResponseStream.Current.Record.Values.Count;
        }),
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> WriteCells => Cells(Writes.Keys);

    public static TheoryData<string, string> ReadCells => Cells(Reads.Keys);

    [Theory]
    [MemberData(nameof(WriteCells))]
    public async Task Write_ByCaller_IsAllowedOrRefusedAndRefusalsChangeNothing(string operation, string caller)
    {
        var (expected, arrange, run) = Writes[operation];
        var expectedStatus = expected[Array.IndexOf(Callers, caller)];
        if (arrange is not null)
        {
            await arrange(world, caller);
        }

        var before = await world.StateAsync();

        var status = await StatusOfAsync(() => run(world, world.As(caller), caller));

        Assert.Equal(expectedStatus, status);
        if (status != Ok)
        {
            Assert.Equal(before, await world.StateAsync());
        }
    }

    [Theory]
    [MemberData(nameof(ReadCells))]
    public async Task Read_ByCaller_SeesOnlyWhatItMay(string operation, string caller)
    {
        var (visible, run) = Reads[operation];

        Assert.Equal(visible[Array.IndexOf(Callers, caller)], await run(world.As(caller)));
    }

    [Fact]
    public async Task AnyCall_WithAnUnknownKey_IsUnauthenticatedNotAnonymous()
    {
        var status = await StatusOfAsync(() => new Resolution.ResolutionClient(world.Server.As("rk_AAAAAAAAAAAA_" + new string('A', 43))).ResolveAsync(new ResolveRequest { Identifier = World.Shared }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(Unauthenticated, status);
    }

    [Fact]
    public async Task DeniedWrite_IsInTheAuditLog()
    {
        await StatusOfAsync(() => new Registry.RegistryClient(world.As("other")).CreateRecordAsync(Create("88.168.1/audit-probe"), cancellationToken: Ct).ResponseAsync);

        var audit = await world.Server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 50 }, cancellationToken: Ct);

        Assert.Contains(audit.Entries, e => e is { Actor: "enterprise:other", Operation: "create", Target: "88.168.1/audit-probe", Outcome: "PERMISSION_DENIED" });
    }

    private static TheoryData<string, string> Cells(IEnumerable<string> operations)
    {
        var data = new TheoryData<string, string>();
        foreach (var operation in operations)
        {
            foreach (var caller in Callers)
            {
                data.Add(operation, caller);
            }
        }

        return data;
    }

    private static async Task<StatusCode> StatusOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return Ok;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }

    private static CreateRecordRequest Create(string identifier)
    {
        var create = new CreateRecordRequest { Identifier = identifier };
        create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://x" } });
        return create;
    }

    /// <summary>One server with three enterprises; "owner" owns 88.168.1 and granted "grantee" read access.</summary>
    public sealed class World : IAsyncLifetime
    {
        public const string Shared = "88.168.1/SHARED";

        private readonly Dictionary<string, string?> _tokens = new() { ["anonymous"] = null, ["admin"] = TestServer.AdminToken };

        public TestServer Server { get; private set; } = null!;

        public CallInvoker As(string caller) => Server.As(_tokens[caller]);

        public async ValueTask InitializeAsync()
        {
            Server = await TestServer.StartAsync();
            foreach (var (name, prefix) in new[] { ("owner", "88.168.1"), ("other", "88.170.1"), ("grantee", "88.171.1") })
            {
                _tokens[name] = (await Server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = name, Prefix = prefix })).ApiKey;
            }

            var create = new CreateRecordRequest { Identifier = Shared };
            create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://public" } });
            create.Values.Add(new Value { Type = "batch", Data = new ValueData { Text = "B-42" }, Permissions = new Permissions { AdminRead = true, AdminWrite = true } });
            await new Registry.RegistryClient(As("owner")).CreateRecordAsync(create);
            await new Admin.AdminClient(As("owner")).GrantReadAsync(new GrantReadRequest { Grantee = "grantee", Prefix = "88.168.1" });
        }

        /// <summary>A record made by the admin for one cell to change.</summary>
        public Task SeedAsync(string identifier)
        {
            var create = new CreateRecordRequest { Identifier = identifier };
            create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://seed" } });
            return Server.Registry.CreateRecordAsync(create, cancellationToken: Ct).ResponseAsync;
        }

        /// <summary>Everything a write could change, as the admin sees it.</summary>
        public async Task<string> StateAsync()
        {
            var records = await Server.Registry.ListRecordsAsync(new ListRecordsRequest { Prefix = "88", PageSize = 1000 }, cancellationToken: Ct);
            var prefixes = await Server.Admin.ListPrefixesAsync(new ListPrefixesRequest(), cancellationToken: Ct);
            var grants = await Server.Admin.ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct);
            var enterprises = await Server.Admin.ListEnterprisesAsync(new ListEnterprisesRequest(), cancellationToken: Ct);
            return $"{records}\n{prefixes}\n{grants}\n{enterprises}";
        }

        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }
}
