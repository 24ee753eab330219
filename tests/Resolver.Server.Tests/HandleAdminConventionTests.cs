using System.Text;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// Handle.Net's admin-handle convention on the REST API (docs/rest.md "Handle clients: Basic credentials and HS_ADMIN"):
/// Basic credentials <c>300:PREFIX/ADMIN</c> with an API key of PREFIX's owner, and HS_ADMIN values accepted on writes
/// and derived from the owner on reads, against a real server.
/// </summary>
public sealed class HandleAdminConventionTests
{
    private const string UrlValue = """[{"index":1,"type":"URL","data":"https://acme.example/b-1"}]""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Basic(string user, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static async Task<(TestServer Server, string Acme, string Bolt)> StartAsync()
    {
        var server = await TestServer.StartAsync();
        var acme = (await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct)).ApiKey;
        var bolt = (await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "bolt", Prefix = "88.170.1" }, cancellationToken: Ct)).ApiKey;
        return (server, acme, bolt);
    }

    [Fact]
    public async Task Basic_TheOwnersAdminHandleAtIndex300WithItsKey_WritesAsTheOwner_InEverySpellingHandleClientsUse()
    {
        var (server, acme, _) = await StartAsync();
        await using var _server = server;
        using var http = new HttpClient();
        var url = $"{server.HttpAddress}/api/handles/88.168.1/B-";

        var encoded = await HttpExchange.SendAsync(http, HttpMethod.Put, url + "1", UrlValue, ("Authorization", Basic("300%3A88.168.1%2FADMIN", acme)));
        var slashKept = await HttpExchange.SendAsync(http, HttpMethod.Put, url + "2", UrlValue, ("Authorization", Basic("300%3A88.168.1/ADMIN", acme))); // pyhandle
        var unencoded = await HttpExchange.SendAsync(http, HttpMethod.Put, url + "3", UrlValue, ("Authorization", Basic("300:88.168.1/ADMIN", acme))); // curl -u
        var prefixHandle = await HttpExchange.SendAsync(http, HttpMethod.Put, url + "4", UrlValue, ("Authorization", Basic("300%3A0.NA%2F88.168.1", acme)));
        var subPrefix = await HttpExchange.SendAsync(http, HttpMethod.Put, url + "5", UrlValue, ("Authorization", Basic("300%3A88.168.1.7/admin", acme)));
        var admin = await HttpExchange.SendAsync(http, HttpMethod.Put, url + "6", UrlValue, ("Authorization", Basic("300%3A88.170.1/ADMIN", TestServer.AdminToken)));
        var audit = await server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 20 }, cancellationToken: Ct);

        foreach (var answer in new[] { encoded, slashKept, unencoded, prefixHandle, subPrefix, admin })
        {
            Assert.True((answer.Status, answer.Code) == (201, 1), answer.ToString());
        }

        Assert.Equal(5, audit.Entries.Count(e => e.Actor == "enterprise:acme" && e.Operation == "create" && e.Outcome == "OK"));
        Assert.Contains(audit.Entries, e => e.Actor == "admin" && e.Target == "88.168.1/B-6");
    }

    [Fact]
    public async Task Basic_AnythingButTheOwnersKeyAtIndex300OfItsAdminHandle_Is401_CountedInTheAuditLog_AndWritesNothing()
    {
        var (server, acme, bolt) = await StartAsync();
        await using var _server = server;
        using var http = new HttpClient();
        var url = $"{server.HttpAddress}/api/handles/88.168.1/B-1";

        var otherIndex = await HttpExchange.SendAsync(http, HttpMethod.Put, url, UrlValue, ("Authorization", Basic("301%3A88.168.1/ADMIN", acme)));
        var othersAdminHandle = await HttpExchange.SendAsync(http, HttpMethod.Put, url, UrlValue, ("Authorization", Basic("300%3A88.170.1/ADMIN", acme)));
        var notAnAdminHandle = await HttpExchange.SendAsync(http, HttpMethod.Put, url, UrlValue, ("Authorization", Basic("300%3A88.168.1/PARTS", acme)));
        var noIndex = await HttpExchange.SendAsync(http, HttpMethod.Put, url, UrlValue, ("Authorization", Basic("88.168.1/ADMIN", acme)));
        var wrongKey = await HttpExchange.SendAsync(http, HttpMethod.Put, url, UrlValue, ("Authorization", Basic("300%3A88.168.1/ADMIN", bolt)));
        var notAKey = await HttpExchange.SendAsync(http, HttpMethod.Put, url, UrlValue, ("Authorization", Basic("300%3A88.168.1/ADMIN", "secret")));
        var notBase64 = await HttpExchange.SendAsync(http, HttpMethod.Put, url, UrlValue, ("Authorization", "Basic ###"));
        var read = await HttpExchange.GetAsync(http, url, ("Authorization", Basic("300%3A88.170.1/ADMIN", acme)));
        var after = await HttpExchange.GetAsync(http, url);
        var audit = await server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 20 }, cancellationToken: Ct);

        foreach (var answer in new[] { otherIndex, othersAdminHandle, notAnAdminHandle, noIndex, wrongKey, notAKey, notBase64, read })
        {
            Assert.True((answer.Status, answer.Code) == (401, 402), answer.ToString());
            Assert.Contains("Basic", answer.Header("WWW-Authenticate"), StringComparison.Ordinal);
        }

        Assert.Contains("index 300", otherIndex.Message, StringComparison.Ordinal);
        Assert.Contains("does not own prefix 88.170.1", othersAdminHandle.Message, StringComparison.Ordinal);
        Assert.Contains("not an admin handle", notAnAdminHandle.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(acme, string.Concat(otherIndex.Body, othersAdminHandle.Body, notAnAdminHandle.Body), StringComparison.Ordinal);
        Assert.Equal(404, after.Status);
        Assert.Contains(audit.Entries, e => e.Operation == "handles.put" && e.Target.StartsWith("(invalid credential ×7 ", StringComparison.Ordinal) && e.Outcome == "UNAUTHENTICATED");
    }

    [Fact]
    public async Task Basic_AnotherEnterpriseWithItsOwnAdminHandle_IsRefused403BeforeTheHandlesStateAndAudited()
    {
        var (server, acme, bolt) = await StartAsync();
        await using var _server = server;
        using var http = new HttpClient();
        var url = $"{server.HttpAddress}/api/handles/88.168.1/B-1";
        await HttpExchange.SendAsync(http, HttpMethod.Put, url, UrlValue, ("Authorization", Basic("300%3A88.168.1/ADMIN", acme)));

        var overwrite = await HttpExchange.SendAsync(http, HttpMethod.Put, url, UrlValue, ("Authorization", Basic("300%3A88.170.1/ADMIN", bolt)));
        var delete = await HttpExchange.SendAsync(http, HttpMethod.Delete, url, null, ("Authorization", Basic("300%3A88.170.1/ADMIN", bolt)));
        var audit = await server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 20 }, cancellationToken: Ct);

        Assert.True((overwrite.Status, overwrite.Code) == (403, 400), overwrite.ToString());
        Assert.True((delete.Status, delete.Code) == (403, 400), delete.ToString());
        Assert.Equal(2, audit.Entries.Count(e => e.Actor == "enterprise:bolt" && e.Target == "88.168.1/B-1" && e.Outcome == "PERMISSION_DENIED"));
    }

    [Fact]
    public async Task HsAdmin_NamingTheOwnersAdminHandle_IsAcceptedNotStored_AndReadsBackDerivedOnlyToThoseWhoMayWrite()
    {
        var (server, acme, bolt) = await StartAsync();
        await using var _server = server;
        using var http = new HttpClient();
        var url = $"{server.HttpAddress}/api/handles/88.168.1/H-1";
        var owner = ("Authorization", $"Bearer {acme}");
        const string Body = """{"values":[{"index":100,"type":"HS_ADMIN","data":{"value":{"index":"200","handle":"0.NA/88.168.1","permissions":"011111110011"},"format":"admin"}},{"index":1,"type":"URL","data":"https://acme.example/h-1"}]}""";

        var created = await HttpExchange.SendAsync(http, HttpMethod.Put, url, Body, owner);
        var asOwner = await HttpExchange.GetAsync(http, url, owner);
        var asAdmin = await HttpExchange.GetAsync(http, url, ("Authorization", $"Bearer {TestServer.AdminToken}"));
        var anonymous = await HttpExchange.GetAsync(http, url);
        var other = await HttpExchange.GetAsync(http, url, ("Authorization", $"Bearer {bolt}"));
        var publicOnly = await HttpExchange.GetAsync(http, url + "?publicOnly=true", owner);
        var urlsOnly = await HttpExchange.GetAsync(http, url + "?type=URL", owner);
        var adminOnly = await HttpExchange.GetAsync(http, url + "?type=HS_ADMIN", owner);
        var byIndex = await HttpExchange.GetAsync(http, url + "?index=100", owner);
        var stored = await server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/H-1" }, cancellationToken: Ct);

        Assert.True((created.Status, created.Code) == (201, 1), created.ToString());
        Assert.Equal(["URL"], stored.Values.Select(v => v.Type)); // derived, not stored
        var admin = asOwner.Json.GetProperty("values")[1];
        Assert.Equal(100, admin.GetProperty("index").GetInt32());
        Assert.Equal("HS_ADMIN", admin.GetProperty("type").GetString());
        Assert.Equal("""{"format":"admin","value":{"handle":"88.168.1/ADMIN","index":300,"permissions":"011111110011"}}""", admin.GetProperty("data").GetRawText());
        Assert.Equal(asOwner.Body, asAdmin.Body);
        Assert.Equal(["URL"], Types(anonymous));
        Assert.Equal(["URL"], Types(other));
        Assert.Equal(["URL"], Types(publicOnly));
        Assert.Equal(["URL"], Types(urlsOnly));
        Assert.Equal(["HS_ADMIN"], Types(adminOnly));
        Assert.Equal(["HS_ADMIN"], Types(byIndex));
        Assert.NotEqual(asOwner.Header("ETag"), anonymous.Header("ETag"));
    }

    [Fact]
    public async Task HsAdmin_TheOwnersGetETag_IsTheOneItsWritesCompareAgainst()
    {
        var (server, acme, _) = await StartAsync();
        await using var _server = server;
        using var http = new HttpClient();
        var url = $"{server.HttpAddress}/api/handles/88.168.1/H-2";
        var owner = ("Authorization", $"Bearer {acme}");
        var created = await HttpExchange.SendAsync(http, HttpMethod.Put, url, UrlValue, owner);
        var read = await HttpExchange.GetAsync(http, url, owner);

        var replaced = await HttpExchange.SendAsync(http, HttpMethod.Put, url, UrlValue, owner, ("If-Match", read.Header("ETag")!));

        Assert.Equal(created.Header("ETag"), read.Header("ETag"));
        Assert.True((replaced.Status, replaced.Code) == (200, 1), replaced.ToString());
    }

    [Fact]
    public async Task HsAdmin_AStoredValueAtIndex100_IsAnsweredInsteadOfTheDerivedOne()
    {
        var (server, acme, _) = await StartAsync();
        await using var _server = server;
        using var http = new HttpClient();
        var url = $"{server.HttpAddress}/api/handles/88.168.1/H-3";
        var owner = ("Authorization", $"Bearer {acme}");
        await HttpExchange.SendAsync(http, HttpMethod.Put, url, """[{"index":1,"type":"URL","data":"u"},{"index":100,"type":"DESC","data":"d"}]""", owner);

        var read = await HttpExchange.GetAsync(http, url, owner);

        Assert.Equal(["URL", "DESC"], Types(read));
    }

    [Theory]
    [InlineData("""{"index":"300","handle":"99.1/ADMIN","permissions":"011111110011"}""", "99.1/ADMIN")]
    [InlineData("""{"index":300,"handle":"88.170.1/ADMIN"}""", "88.170.1/ADMIN")]
    [InlineData("""{"index":300,"handle":"88.168.1/PARTS"}""", "88.168.1/PARTS")]
    [InlineData("""{"handle":"88.168.1/ADMIN"}""", "\"format\": \"admin\"")]
    public async Task HsAdmin_NamingAnAdminOtherThanThisPrefixs_Is400Code202_AndWritesNothing(string admin, string named)
    {
        var (server, acme, _) = await StartAsync();
        await using var _server = server;
        using var http = new HttpClient();
        var url = $"{server.HttpAddress}/api/handles/88.168.1/H-4";

        var refused = await HttpExchange.SendAsync(http, HttpMethod.Put, url,
            $$$"""[{"index":100,"type":"HS_ADMIN","data":{"format":"admin","value":{{{admin}}}}},{"index":1,"type":"URL","data":"u"}]""", ("Authorization", $"Bearer {acme}"));
        var after = await HttpExchange.GetAsync(http, url);

        Assert.True((refused.Status, refused.Code) == (400, 202), refused.ToString());
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.Equal(404, after.Status);
    }

    private static List<string?> Types(HttpAnswer answer)
    {
        Assert.True(answer.Status == 200, answer.ToString());
        return [.. answer.Json.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("type").GetString())];
    }
}
