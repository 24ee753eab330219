using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// Issue 25 item 15: every REST write attempt is audited, and permission is answered before state: a caller who may
/// not write learns nothing of what exists (403, not 409), and <c>?overwrite=false</c> is the writer's check, made after
/// the caller's right to write, like every other rule of a write.
/// </summary>
public sealed class RefusedRestWriteTests : IAsyncLifetime
{
    private const string Body = """[{"index":1,"type":"URL","data":"https://example.com/x"}]""";
    private TestServer _server = null!;
    private string _acme = "";
    private string _bolt = "";
    private readonly HttpClient _http = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _acme = (await _server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct)).ApiKey;
        _bolt = (await _server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "bolt", Prefix = "88.170.1" }, cancellationToken: Ct)).ApiKey;
        var created = await PutAsync("C-1", _acme);
        Assert.True(created.Status == 201, created.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private Task<HttpAnswer> PutAsync(string suffixAndQuery, string? token) =>
        HttpExchange.SendAsync(_http, HttpMethod.Put, $"{_server.HttpAddress}/api/handles/88.168.1/{suffixAndQuery}", Body,
            token is null ? [] : [("Authorization", $"Bearer {token}")]);

    private async Task<IReadOnlyList<AuditRecord>> AuditAsync() =>
        (await _server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 100 }, cancellationToken: Ct)).Entries;

    [Fact]
    public async Task AnotherEnterprisesPut_IsForbiddenWhateverExists_AndAudited()
    {
        var replace = await PutAsync("C-1?overwrite=false", _bolt);
        var value = await PutAsync("C-1?index=1&overwrite=false", _bolt);
        var create = await PutAsync("NEW-1?overwrite=false", _bolt);
        var audit = await AuditAsync();

        Assert.True((replace.Status, replace.Code) == (403, 400), replace.ToString());
        Assert.True((value.Status, value.Code) == (403, 400), value.ToString());
        Assert.True((create.Status, create.Code) == (403, 400), create.ToString());
        Assert.Equal(3, audit.Count(e => e.Actor == "enterprise:bolt" && e.Outcome == "PERMISSION_DENIED"));
        Assert.Contains(audit, e => e.Actor == "enterprise:bolt" && e.Operation == "update" && e.Target == "88.168.1/C-1");
    }

    [Theory]
    [InlineData("""[{"index":1,"type":"URL","data":"https://x",}]""", "the body is not JSON: The JSON object contains a trailing comma at the end which is not supported in this mode (line 1, byte ")]
    [InlineData("""[{"index":5,"type":"URL","data":"https://x"},{"index":1,"type":"EMAIL","data":"a@b","permissions":"11"}]""", "value #2 of the body (EMAIL): \"permissions\" must be four bits")]
    public async Task UnreadableBody_IsRefusedSayingWhatAndWhereInTheBody(string body, string expected)
    {
        var answer = await HttpExchange.SendAsync(_http, HttpMethod.Put, $"{_server.HttpAddress}/api/handles/88.168.1/BODY-1", body, ("Authorization", $"Bearer {_acme}"));

        Assert.True(answer.Status == 400, answer.ToString());
        Assert.StartsWith(expected, answer.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("reader options", answer.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedHandlePut_IsRefusedAndAudited()
    {
        var before = (await AuditAsync()).Count;

        var answer = await HttpExchange.SendAsync(_http, HttpMethod.Put, $"{_server.HttpAddress}/api/handles/88.168.1/bad%01suffix", Body, ("Authorization", $"Bearer {_acme}"));
        var audit = await AuditAsync();

        Assert.True(answer.Status == 400, answer.ToString());
        Assert.Equal(before + 1, audit.Count);
        Assert.Contains(audit, e => e.Actor == "enterprise:acme" && e.Outcome == "INVALID_ARGUMENT");
    }

    [Fact]
    public async Task AnonymousPut_IsRefusedAndAudited_ForCreateReplaceAndValues()
    {
        var before = (await AuditAsync()).Count;

        var create = await PutAsync("NEW-2", token: null);
        var replace = await PutAsync("C-1", token: null);
        var value = await PutAsync("C-1?index=1&overwrite=false", token: null);
        var audit = await AuditAsync();

        Assert.All([create, replace, value], answer => Assert.True(answer.Status is 401 or 403, answer.ToString()));
        Assert.Equal(before + 3, audit.Count);
        Assert.Contains(audit, e => e.Operation == "create" && e.Target == "88.168.1/NEW-2" && e.Outcome == "UNAUTHENTICATED");
        Assert.Equal(2, audit.Count(e => e.Target == "88.168.1/C-1" && e.Outcome == "UNAUTHENTICATED")); // what it cannot see, it asked to create
        Assert.Contains(audit, e => e.Operation == "update" && e.Target == "88.168.1/C-1" && e.Outcome == "UNAUTHENTICATED");
    }

    [Fact]
    public async Task OwnersPutWithOverwriteFalse_RefusesWhatExists_AndAddsWhatDoesNot()
    {
        var handle = await PutAsync("C-1?overwrite=false", _acme);
        var taken = await PutAsync("C-1?index=1&overwrite=false", _acme);
        var added = await HttpExchange.SendAsync(_http, HttpMethod.Put, $"{_server.HttpAddress}/api/handles/88.168.1/C-1?index=2&overwrite=false",
            """[{"index":2,"type":"EMAIL","data":"ops@acme.example"}]""", ("Authorization", $"Bearer {_acme}"));
        var audit = await AuditAsync();

        Assert.True((handle.Status, handle.Code) == (409, 101), handle.ToString());
        Assert.True((taken.Status, taken.Code) == (409, 201), taken.ToString());
        Assert.True(added.Status == 200, added.ToString());
        Assert.Contains(audit, e => e.Actor == "enterprise:acme" && e.Operation == "create" && e.Outcome == "ALREADY_EXISTS");
        Assert.Contains(audit, e => e.Actor == "enterprise:acme" && e.Operation == "update" && e.Outcome == "ALREADY_EXISTS");
    }
}
