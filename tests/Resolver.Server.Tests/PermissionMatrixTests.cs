using System.Security.Claims;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Resolver.Protocol.V1;
using AccessStore = Resolver.Core.Security.IAccessStore;
using Record = Resolver.Protocol.V1.Record;

namespace Resolver.Server.Tests;

/// <summary>
/// Who may do what, cell by cell: every operation of the Admin, Registry and Resolution APIs (one row each in
/// <see cref="Operations"/>) × every kind of caller (<see cref="Callers"/>). A read's cell names exactly the value
/// types the caller sees; a write's cell its status. Every refused cell is proven to leave the store unchanged.
/// A new entry point (REST, Watch, export) joins by adding one row; the Handle REST routes and the JSON transcoding have theirs.
/// </summary>
public sealed class PermissionMatrixTests(PermissionMatrixTests.World world) : IClassFixture<PermissionMatrixTests.World>
{
    private const string Ok = nameof(StatusCode.OK);
    private const string Unauth = nameof(StatusCode.Unauthenticated);
    private const string Denied = nameof(StatusCode.PermissionDenied);
    private const string NotFound = nameof(StatusCode.NotFound);

    // What a read of the shared record (public URL; private batch and serial) shows.
    private const string Public = "URL";
    private const string All = "URL batch serial";
    private const string OnlyBatch = "URL batch";

    // The Handle REST API adds the HS_ADMIN it derives from the owner for those who may write (docs/rest.md), not for grantees.
    private const string AllWithAdmin = "URL batch serial HS_ADMIN";

    /// <summary>
    /// The kinds of caller, in the order of each row's expectations: nobody; the node's administrator; the owner of
    /// 88.168.1; an enterprise with no grant; one granted read of everything under 88.168.1; one granted only type
    /// batch there; a revoked key of the owner; a key never issued; a validly signed JWT whose sub names no enterprise.
    /// </summary>
    public static readonly string[] Callers = ["anonymous", "admin", "owner", "other", "grantee", "narrowed", "revoked-key", "unknown-key", "unknown-jwt"];

    /// <summary>One row per gRPC operation: the outcome each caller gets, in <see cref="Callers"/> order.</summary>
    private static readonly Dictionary<string, Row> Operations = new()
    {
        // Admin.
        ["HomePrefix"] = new([Unauth, Ok, Denied, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            Done(new Admin.AdminClient(as_).HomePrefixAsync(new HomePrefixRequest { Prefix = $"88.199.{cell}" }, cancellationToken: Ct).ResponseAsync)),
        ["DelegatePrefix"] = new([Unauth, Ok, Denied, Denied, Denied, Denied, Unauth, Unauth, Unauth], async (w, as_, cell) =>
            (await new Admin.AdminClient(as_).DelegatePrefixAsync(new DelegatePrefixRequest { Prefix = $"88.197.{cell}", Sites = { "https://site.example:5443" } }, cancellationToken: Ct)).Created ? Ok : "not created"),
        ["UndelegatePrefix"] = new([Unauth, Ok, Denied, Denied, Denied, Denied, Unauth, Unauth, Unauth], async (w, as_, cell) =>
            (await new Admin.AdminClient(as_).UndelegatePrefixAsync(new UndelegatePrefixRequest { Prefix = $"88.196.{cell}" }, cancellationToken: Ct)).Removed ? Ok : "not removed",
            (w, cell) => w.Server.Admin.DelegatePrefixAsync(new DelegatePrefixRequest { Prefix = $"88.196.{cell}", Sites = { "https://site.example:5443" } }, cancellationToken: Ct).ResponseAsync),
        ["ListPrefixes"] = new([Unauth, Ok, Ok, Ok, Ok, Ok, Unauth, Unauth, Unauth], (w, as_, cell) =>
            Done(new Admin.AdminClient(as_).ListPrefixesAsync(new ListPrefixesRequest(), cancellationToken: Ct).ResponseAsync)),
        ["CreateEnterprise"] = new([Unauth, Ok, Denied, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            Done(new Admin.AdminClient(as_).CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = $"new-{cell}", Prefix = $"88.198.{cell}" }, cancellationToken: Ct).ResponseAsync)),
        ["ListEnterprises"] = new([Unauth, Ok, Denied, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            Done(new Admin.AdminClient(as_).ListEnterprisesAsync(new ListEnterprisesRequest(), cancellationToken: Ct).ResponseAsync)),
        ["CreateApiKey"] = new([Unauth, Ok, Ok, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            Done(new Admin.AdminClient(as_).CreateApiKeyAsync(new CreateApiKeyRequest { Enterprise = "owner" }, cancellationToken: Ct).ResponseAsync)),
        // Another enterprise's key answers like an unknown one, so key ids do not reveal their owners.
        ["RevokeApiKey"] = new([Unauth, Ok, Ok, NotFound, NotFound, NotFound, Unauth, Unauth, Unauth], (w, as_, cell) =>
            Done(new Admin.AdminClient(as_).RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = w.Arranged[$"key-{cell}"] }, cancellationToken: Ct).ResponseAsync),
            async (w, cell) => w.Arranged[$"key-{cell}"] = (await w.Server.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Enterprise = "owner" }, cancellationToken: Ct)).KeyId),
        // The owner's keys, listed: for the owner and the admin; another enterprise learns nothing of them.
        ["ListApiKeys"] = new([Unauth, Ok, Ok, Denied, Denied, Denied, Unauth, Unauth, Unauth], async (w, as_, cell) =>
            (await new Admin.AdminClient(as_).ListApiKeysAsync(new ListApiKeysRequest { Enterprise = "owner" }, cancellationToken: Ct)).Keys is { Count: > 0 } keys && keys.All(k => k.Enterprise == "owner") ? Ok : "not the owner's keys"),
        ["GrantRead"] = new([Unauth, Ok, Ok, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            Done(new Admin.AdminClient(as_).GrantReadAsync(new GrantReadRequest { Grantee = "other", Prefix = $"88.168.1.{cell}" }, cancellationToken: Ct).ResponseAsync)),
        ["RevokeRead"] = new([Unauth, Ok, Ok, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            Done(new Admin.AdminClient(as_).RevokeReadAsync(new RevokeReadRequest { Grantee = "other", Prefix = $"88.168.1.withdrawn-{cell}" }, cancellationToken: Ct).ResponseAsync),
            (w, cell) => w.Server.Admin.GrantReadAsync(new GrantReadRequest { Grantee = "other", Prefix = $"88.168.1.withdrawn-{cell}" }, cancellationToken: Ct).ResponseAsync),
        // The grants on the shared prefix each caller is shown: only those it gave or received (all for the admin).
        ["ListGrants"] = new([Unauth, "owner>grantee owner>narrowed", "owner>grantee owner>narrowed", "", "owner>grantee", "owner>narrowed", Unauth, Unauth, Unauth], async (w, as_, cell) =>
            string.Join(' ', (await new Admin.AdminClient(as_).ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct)).Grants
                .Where(g => g.Prefix == "88.168.1").Select(g => $"{g.Owner}>{g.Grantee}"))),
        ["ListAudit"] = new([Unauth, Ok, Denied, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            Done(new Admin.AdminClient(as_).ListAuditAsync(new ListAuditRequest { Limit = 10 }, cancellationToken: Ct).ResponseAsync)),

        // Registry.
        ["CreateRecord"] = new([Unauth, Ok, Ok, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            Done(new Registry.RegistryClient(as_).CreateRecordAsync(Create($"88.168.1/new-{cell}"), cancellationToken: Ct).ResponseAsync)),
        ["UpdateRecord"] = new([Unauth, Ok, Ok, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
        {
            var update = new UpdateRecordRequest { Identifier = $"88.168.1/upd-{cell}" };
            update.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://changed" } });
            return Done(new Registry.RegistryClient(as_).UpdateRecordAsync(update, cancellationToken: Ct).ResponseAsync);
        }, (w, cell) => w.SeedAsync($"88.168.1/upd-{cell}")),
        ["DeleteRecord"] = new([Unauth, Ok, Ok, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            Done(new Registry.RegistryClient(as_).DeleteRecordAsync(new DeleteRecordRequest { Identifier = $"88.168.1/del-{cell}" }, cancellationToken: Ct).ResponseAsync),
            (w, cell) => w.SeedAsync($"88.168.1/del-{cell}")),
        ["GetRecord"] = new([Unauth, All, All, Public, All, OnlyBatch, Unauth, Unauth, Unauth], async (w, as_, cell) =>
            Types(await new Registry.RegistryClient(as_).GetRecordAsync(new GetRecordRequest { Identifier = World.Shared }, cancellationToken: Ct))),
        ["ListRecords"] = new([Unauth, All, All, Public, All, OnlyBatch, Unauth, Unauth, Unauth], async (w, as_, cell) =>
            Types((await new Registry.RegistryClient(as_).ListRecordsAsync(new ListRecordsRequest { Prefix = "88.168.1", PageSize = 1000 }, cancellationToken: Ct))
                .Records.Single(r => r.Identifier == World.Shared))),

        // Bulk: a refused caller's items fail one by one (the call itself is OK); the cell is the item's status.
        ["BulkUpsert"] = new([Unauth, Ok, Ok, Denied, Denied, Denied, Unauth, Unauth, Unauth], async (w, as_, cell) =>
        {
            var request = new UpsertRecordRequest { Identifier = $"88.168.1/bulk-{cell}" };
            request.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://bulk" } });
            var result = Assert.Single(await BulkUpsertTests.BulkAsync(new Registry.RegistryClient(as_), [request]));
            return result.Outcome == UpsertOutcome.Failed ? ((StatusCode)result.Status.Code).ToString() : Ok;
        }),
        ["ExportRecords"] = new([Unauth, All, All, Public, All, OnlyBatch, Unauth, Unauth, Unauth], async (w, as_, cell) =>
        {
            using var call = new Registry.RegistryClient(as_).ExportRecords(new ExportRecordsRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
            var records = new List<Record>();
            await foreach (var record in call.ResponseStream.ReadAllAsync(Ct))
            {
                records.Add(record);
            }

            return Types(records.Single(r => r.Identifier == World.Shared));
        }),

        // Watch sends what the subscriber may read, by the rules of resolution.
        ["Watch"] = new([Unauth, All, All, Public, All, OnlyBatch, Unauth, Unauth, Unauth], async (w, as_, cell) =>
        {
            using var call = new Registry.RegistryClient(as_).Watch(new WatchRequest { Prefix = "88.168.1", After = 0 }, cancellationToken: Ct);
            while (await call.ResponseStream.MoveNext(Ct))
            {
                if (call.ResponseStream.Current is { Identifier: World.Shared, Record: { } record })
                {
                    return Types(record);
                }
            }

            return "no event for the shared record";
        }),

        // Resolution: anonymous callers may resolve; a bad credential is never taken for anonymous.
        ["Resolve"] = new([Public, All, All, Public, All, OnlyBatch, Unauth, Unauth, Unauth], async (w, as_, cell) =>
            Types((await new Resolution.ResolutionClient(as_).ResolveAsync(new ResolveRequest { Identifier = World.Shared }, cancellationToken: Ct)).Record)),
        ["BatchResolve"] = new([Public, All, All, Public, All, OnlyBatch, Unauth, Unauth, Unauth], async (w, as_, cell) =>
        {
            var batch = new BatchResolveRequest();
            batch.Requests.Add(new ResolveRequest { Identifier = World.Shared });
            return Types((await new Resolution.ResolutionClient(as_).BatchResolveAsync(batch, cancellationToken: Ct)).Results.Single().Record);
        }),
        ["ResolveStream"] = new([Public, All, All, Public, All, OnlyBatch, Unauth, Unauth, Unauth], async (w, as_, cell) =>
        {
            using var call = new Resolution.ResolutionClient(as_).ResolveStream(cancellationToken: Ct);
            try
            {
                await call.RequestStream.WriteAsync(new ResolveRequest { Identifier = World.Shared }, Ct);
                await call.RequestStream.CompleteAsync();
            }
            catch (RpcException)
            {
                // The server may refuse the caller before it reads the request and reset the request side: the
                // call's real status comes with the response, read next.
            }

            Assert.True(await call.ResponseStream.MoveNext(Ct));
            return Types(call.ResponseStream.Current.Record);
        }),
        ["GetServerInfo"] = new([Ok, Ok, Ok, Ok, Ok, Ok, Unauth, Unauth, Unauth], (w, as_, cell) =>
            Done(new Resolution.ResolutionClient(as_).GetServerInfoAsync(new GetServerInfoRequest(), cancellationToken: Ct).ResponseAsync)),

        // HTTP (docs/rest.md): the Handle REST routes and the JSON transcoding, with the same bearer credentials.
        [$"{Http} GET /api/handles"] = new([Public, AllWithAdmin, AllWithAdmin, Public, All, OnlyBatch, Unauth, Unauth, Unauth], (w, as_, cell) =>
            w.HttpAsync(HttpMethod.Get, $"/api/handles/{World.Shared}", cell, null, json => HandleTypes(json))),
        [$"{Http} PUT /api/handles"] = new([Unauth, Ok, Ok, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            w.HttpAsync(HttpMethod.Put, $"/api/handles/88.168.1/rest-new-{cell}", cell, HandleValue)),
        [$"{Http} PUT /api/handles?index="] = new([Unauth, Ok, Ok, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            w.HttpAsync(HttpMethod.Put, $"/api/handles/88.168.1/rest-upd-{cell}?index=2", cell, HandleValue),
            (w, cell) => w.SeedAsync($"88.168.1/rest-upd-{cell}")),
        [$"{Http} DELETE /api/handles"] = new([Unauth, Ok, Ok, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            w.HttpAsync(HttpMethod.Delete, $"/api/handles/88.168.1/rest-del-{cell}", cell, null),
            (w, cell) => w.SeedAsync($"88.168.1/rest-del-{cell}")),
        [$"{Http} GET /v1/identifiers"] = new([Public, All, All, Public, All, OnlyBatch, Unauth, Unauth, Unauth], (w, as_, cell) =>
            w.HttpAsync(HttpMethod.Get, $"/v1/identifiers/{World.Shared}", cell, null, json => HandleTypes(json.GetProperty("record")))),
        [$"{Http} GET /v1/records"] = new([Unauth, All, All, Public, All, OnlyBatch, Unauth, Unauth, Unauth], (w, as_, cell) =>
            w.HttpAsync(HttpMethod.Get, $"/v1/records/{World.Shared}", cell, null, json => HandleTypes(json))),
        [$"{Http} POST /v1/records"] = new([Unauth, Ok, Ok, Denied, Denied, Denied, Unauth, Unauth, Unauth], (w, as_, cell) =>
            w.HttpAsync(HttpMethod.Post, "/v1/records", cell, $$$"""{"identifier":"88.168.1/json-new-{{{cell}}}","values":[{"type":"URL","data":{"text":"https://x"}}]}""")),
    };

    // Rows reached over HTTP rather than by a gRPC client.
    private const string Http = "HTTP";

    private const string HandleValue = """[{"index":2,"type":"URL","data":"https://rest"}]""";

    // The value types of a Handle answer or of a transcoded record, in order.
    private static string HandleTypes(System.Text.Json.JsonElement json) =>
        string.Join(' ', json.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("type").GetString()));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Cells
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var operation in Operations.Keys)
            {
                foreach (var caller in Callers)
                {
                    data.Add(operation, caller);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Operation_ByCaller_HasTheMatrixOutcomeAndRefusalsChangeNothing(string operation, string caller)
    {
        var row = Operations[operation];
        var expected = row.Expected[Array.IndexOf(Callers, caller)];
        if (row.Arrange is not null)
        {
            await row.Arrange(world, caller);
        }

        var before = await world.StateAsync();

        string outcome;
        try
        {
            outcome = await row.Run(world, world.As(caller), caller);
        }
        catch (RpcException exception)
        {
            outcome = exception.StatusCode.ToString();
        }

        Assert.Equal(expected, outcome);
        if (outcome is Unauth or Denied or NotFound)
        {
            Assert.Equal(before, await world.StateAsync());
        }
    }

    [Fact]
    public void Matrix_CoversEveryOperationOfTheApis()
    {
        var operations = new[] { Admin.Descriptor, Registry.Descriptor, Resolution.Descriptor }.SelectMany(s => s.Methods).Select(m => m.Name);
        var grpcRows = Operations.Keys.Where(k => !k.StartsWith(Http, StringComparison.Ordinal));

        Assert.Equal(operations.Order(StringComparer.Ordinal), grpcRows.Order(StringComparer.Ordinal));
        Assert.All(Operations.Values, row => Assert.Equal(Callers.Length, row.Expected.Length));
    }

    [Fact]
    public async Task DeniedWrite_IsInTheAuditLog()
    {
        await Assert.ThrowsAsync<RpcException>(() => new Registry.RegistryClient(world.As("other")).CreateRecordAsync(Create("88.168.1/audit-probe"), cancellationToken: Ct).ResponseAsync);

        var audit = await world.Server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 50 }, cancellationToken: Ct);

        Assert.Contains(audit.Entries, e => e is { Actor: "enterprise:other", Operation: "create", Target: "88.168.1/audit-probe", Outcome: "PERMISSION_DENIED" });
    }

    private static async Task<string> Done(Task call)
    {
        await call;
        return Ok;
    }

    private static string Types(Record record) => string.Join(' ', record.Values.Select(v => v.Type));

    private static CreateRecordRequest Create(string identifier)
    {
        var create = new CreateRecordRequest { Identifier = identifier };
        create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://x" } });
        return create;
    }

    /// <summary>One operation: the outcome per caller, the call, and what it needs made first (as the admin).</summary>
    private sealed record Row(string[] Expected, Func<World, CallInvoker, string, Task<string>> Run, Func<World, string, Task>? Arrange = null);

    /// <summary>
    /// One server (with JWTs enabled) and four enterprises; "owner" owns 88.168.1, granted "grantee" read access to
    /// all of it and "narrowed" only to type batch.
    /// </summary>
    public sealed class World : IAsyncLifetime
    {
        public const string Shared = "88.168.1/SHARED";

        private const string JwtKey = "a-test-signing-key-of-at-least-32-bytes!";

        private readonly Dictionary<string, string?> _tokens = new()
        {
            ["anonymous"] = null,
            ["admin"] = TestServer.AdminToken,
            ["unknown-key"] = "rk_AAAAAAAAAAAA_" + new string('A', 43),
        };

        public TestServer Server { get; private set; } = null!;

        /// <summary>What a row's arrange step made for its run (e.g. the id of a key to revoke).</summary>
        public Dictionary<string, string> Arranged { get; } = [];

        public CallInvoker As(string caller) => Server.As(_tokens[caller]);

        public async ValueTask InitializeAsync()
        {
            Server = await TestServer.StartAsync("--jwt-signing-key", JwtKey);
            foreach (var (name, prefix) in new[] { ("owner", "88.168.1"), ("other", "88.170.1"), ("grantee", "88.171.1"), ("narrowed", "88.172.1") })
            {
                _tokens[name] = (await Server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = name, Prefix = prefix })).ApiKey;
            }

            var create = new CreateRecordRequest { Identifier = Shared };
            create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://public" } });
            create.Values.Add(new Value { Type = "batch", Data = new ValueData { Text = "B-42" }, Permissions = new Permissions { AdminRead = true, AdminWrite = true } });
            create.Values.Add(new Value { Type = "serial", Data = new ValueData { Text = "S-7" }, Permissions = new Permissions { AdminRead = true, AdminWrite = true } });
            await new Registry.RegistryClient(As("owner")).CreateRecordAsync(create);
            var owner = new Admin.AdminClient(As("owner"));
            await owner.GrantReadAsync(new GrantReadRequest { Grantee = "grantee", Prefix = "88.168.1" });
            var narrowed = new GrantReadRequest { Grantee = "narrowed", Prefix = "88.168.1" };
            narrowed.Types_.Add("batch");
            await owner.GrantReadAsync(narrowed);

            // A key of the owner itself: if revocation did not hold, it would be allowed everything the owner is.
            var revoked = await owner.CreateApiKeyAsync(new CreateApiKeyRequest());
            await owner.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = revoked.KeyId });
            _tokens["revoked-key"] = revoked.ApiKey;

            _tokens["unknown-jwt"] = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Subject = new ClaimsIdentity([new Claim("sub", "ghost")]),
                Expires = DateTime.UtcNow.AddHours(1),
                SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(JwtKey)), SecurityAlgorithms.HmacSha256),
            });
        }

        /// <summary>
        /// An HTTP request to the server as <paramref name="caller"/>; the outcome in the matrix's words: the status name of a
        /// refusal, or what <paramref name="read"/> makes of the JSON answer (OK when there is nothing to read).
        /// </summary>
        public async Task<string> HttpAsync(HttpMethod method, string path, string caller, string? body, Func<System.Text.Json.JsonElement, string>? read = null)
        {
            using var request = new HttpRequestMessage(method, new Uri(Server.HttpAddress + path));
            if (_tokens[caller] is { } token)
            {
                request.Headers.Authorization = new("Bearer", token);
            }

            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var response = await HttpClient.SendAsync(request, Ct);
            return (int)response.StatusCode switch
            {
                200 or 201 when read is null => Ok,
                200 => read!(System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement),
                401 => Unauth,
                403 => Denied,
                404 => NotFound,
                var other => $"HTTP {other}",
            };
        }

        private static readonly HttpClient HttpClient = new();

        /// <summary>A record made by the admin for one cell to change.</summary>
        public Task SeedAsync(string identifier) => Server.Registry.CreateRecordAsync(Create(identifier), cancellationToken: Ct).ResponseAsync;

        /// <summary>Everything a write could change: records, prefixes, grants and enterprises as the admin sees them, and the stored keys.</summary>
        public async Task<string> StateAsync()
        {
            var records = await Server.Registry.ListRecordsAsync(new ListRecordsRequest { Prefix = "88", PageSize = 1000 }, cancellationToken: Ct);
            var prefixes = await Server.Admin.ListPrefixesAsync(new ListPrefixesRequest(), cancellationToken: Ct);
            var grants = await Server.Admin.ListGrantsAsync(new ListGrantsRequest(), cancellationToken: Ct);
            var enterprises = await Server.Admin.ListEnterprisesAsync(new ListEnterprisesRequest(), cancellationToken: Ct);

            // Keys cannot be listed through the API; the store is the only place to see one issued or revoked.
            var keys = await Server.Services.GetRequiredService<AccessStore>().ListKeysAsync(Ct);
            return $"{records}\n{prefixes}\n{grants}\n{enterprises}\n{string.Join('\n', keys.Select(k => $"{k.Id} {k.Enterprise} {k.RevokedAt}"))}";
        }

        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }
}
