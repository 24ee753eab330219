using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// SPEC §6: a query parameter that does not parse is a 400 naming it, never a broader action and never a 500 — on every
/// Handle REST route and every /v1 route, over real HTTP. Every refused write is shown to leave the record as it was.
/// </summary>
public sealed class RequestParameterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string ThreeValues = """[{"index":1,"type":"URL","data":"https://acme.example/p"},{"index":2,"type":"EMAIL","data":"p@acme.example"},{"index":3,"type":"batch","data":"B-3"}]""";

    [Theory]
    [InlineData("index=various", "index=various")] // what pyhandle users send
    [InlineData("index=x", "index=\"x\"")]
    [InlineData("index=0", "index=\"0\"")]
    [InlineData("index=", "index=\"\"")]
    [InlineData("index=2&index=various", "index=various")]
    [InlineData("indexes=2", "\"indexes\"")]
    [InlineData("index=2&pretty=maybe", "pretty=\"maybe\"")]
    public async Task HandleDelete_AnIndexThatDoesNotParse_Is400NamingIt_AndDeletesNothing(string query, string named)
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        var url = await RegisterThreeValuesAsync(server, http, "P-1");

        var refused = await HttpExchange.SendAsync(http, HttpMethod.Delete, $"{url}?{query}", null, Admin);
        var after = await HttpExchange.GetAsync(http, url, Admin);

        Assert.True((refused.Status, refused.Code) == (400, 4), refused.ToString());
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], Indexes(after));
    }

    [Fact]
    public async Task HandleDelete_WithIndexes_DeletesThoseValuesAndNoMore()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        var url = await RegisterThreeValuesAsync(server, http, "P-2");

        var deleted = await HttpExchange.SendAsync(http, HttpMethod.Delete, $"{url}?index=1&index=3", null, Admin);
        var after = await HttpExchange.GetAsync(http, url, Admin);

        Assert.True((deleted.Status, deleted.Code) == (200, 1), deleted.ToString());
        Assert.Equal([2], Indexes(after));
    }

    [Theory]
    [InlineData("overwrite=nope", "overwrite=\"nope\"")]
    [InlineData("overwrite=false&overwrite=true", "overwrite is given twice")]
    [InlineData("reuse=maybe", "reuse=\"maybe\"")]
    [InlineData("index=x", "index=\"x\"")]
    [InlineData("index=-1", "index=\"-1\"")]
    [InlineData("mintNewSuffix=true", "mintNewSuffix=true")]
    [InlineData("mintNewSuffix=sure", "mintNewSuffix=\"sure\"")]
    [InlineData("indexes=1", "\"indexes\"")]
    [InlineData("overwrite=false&pretty=2", "pretty=\"2\"")]
    public async Task HandlePut_AParameterThatDoesNotParse_Is400NamingIt_AndWritesNothing(string query, string named)
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        var url = await RegisterThreeValuesAsync(server, http, "P-3");
        var before = (await HttpExchange.GetAsync(http, url, Admin)).Header("ETag");

        var refused = await HttpExchange.SendAsync(http, HttpMethod.Put, $"{url}?{query}", """[{"index":1,"type":"URL","data":"https://acme.example/replaced"}]""", Admin);
        var after = await HttpExchange.GetAsync(http, url, Admin);

        Assert.True((refused.Status, refused.Code) == (400, 4), refused.ToString());
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, after.Header("ETag"));
        Assert.Equal([1, 2, 3], Indexes(after));
    }

    [Theory]
    [InlineData("index=x", "index=\"x\"")]
    [InlineData("index=various", "index=various")]
    [InlineData("publicOnly=maybe", "publicOnly=\"maybe\"")]
    [InlineData("pretty=2", "pretty=\"2\"")]
    [InlineData("doNotRefer=perhaps", "doNotRefer=\"perhaps\"")]
    [InlineData("auth=yes-please", "auth=\"yes-please\"")]
    public async Task HandleGet_AParameterThatDoesNotParse_Is400NamingIt(string query, string named)
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        var url = await RegisterThreeValuesAsync(server, http, "P-4");

        var refused = await HttpExchange.GetAsync(http, $"{url}?{query}");

        Assert.True((refused.Status, refused.Code) == (400, 4), refused.ToString());
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleGet_UnknownParametersAndFlagsThatParse_AreAnswered()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        var url = await RegisterThreeValuesAsync(server, http, "P-5");

        var cacheBuster = await HttpExchange.GetAsync(http, $"{url}?_=1700000000");
        var flags = await HttpExchange.GetAsync(http, $"{url}?pretty&publicOnly=TRUE&auth=1&doNotRefer=no&index=2&index=3");

        Assert.Equal([1, 2, 3], Indexes(cacheBuster));
        Assert.Equal([2, 3], Indexes(flags));
        Assert.Contains("\n  \"responseCode\": 1", flags.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/identifiers/88.168.1/P-6?indexes=x", "indexes=\"x\"")]
    [InlineData("GET", "/v1/identifiers/88.168.1/P-6?indexes=1&indexes=99999999999", "indexes=\"99999999999\"")]
    [InlineData("GET", "/v1/identifiers/88.168.1/P-6?noRecursion=maybe", "noRecursion=\"maybe\"")]
    [InlineData("GET", "/v1/identifiers/88.168.1/P-6?no_recursion=true&no_recursion=false", "no_recursion is given 2 times")]
    [InlineData("GET", "/v1/prefixes/88.168.1/records?pageSize=abc", "pageSize=\"abc\"")]
    [InlineData("DELETE", "/v1/records/88.168.1/P-6?expectedVersion=latest", "expectedVersion=\"latest\"")]
    [InlineData("DELETE", "/v1/records/88.168.1/P-6?expectedversion=1", "\"expectedversion\"")]
    [InlineData("PATCH", "/v1/records/88.168.1/P-6?expectedVersion=1", "\"expectedVersion\"")]
    [InlineData("POST", "/v1/records?reuseDeleted=true", "\"reuseDeleted\"")]
    public async Task Transcoded_AParameterThatDoesNotParseOrIsNotTaken_Is400NamingIt_AndChangesNothing(string method, string pathAndQuery, string named)
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        var url = await RegisterThreeValuesAsync(server, http, "P-6");
        var before = (await HttpExchange.GetAsync(http, url, Admin)).Header("ETag");
        var body = method is "PATCH" or "POST" ? """{"identifier":"88.168.1/P-7","values":[{"type":"URL","data":{"text":"https://acme.example/7"}}]}""" : null;

        var refused = await HttpExchange.SendAsync(http, new HttpMethod(method), server.HttpAddress + pathAndQuery, body, Admin);
        var after = await HttpExchange.GetAsync(http, url, Admin);
        var notCreated = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/api/handles/88.168.1/P-7");

        Assert.True(refused.Status == 400, refused.ToString());
        Assert.Equal(3, refused.Json.GetProperty("code").GetInt32()); // INVALID_ARGUMENT
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, after.Header("ETag"));
        Assert.Equal(404, notCreated.Status);
    }

    [Fact]
    public async Task Transcoded_UnknownParametersOnAGet_AreIgnoredAsTheTranscoderDoes()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();
        await RegisterThreeValuesAsync(server, http, "P-8");

        var answer = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/v1/identifiers/88.168.1/P-8?_=1700000000&indexes=2&no_recursion=true");

        Assert.True(answer.Status == 200, answer.ToString());
        Assert.Equal([2], answer.Json.GetProperty("record").GetProperty("values").EnumerateArray().Select(v => v.GetProperty("index").GetInt32()));
    }

    private static readonly (string, string) Admin = ("Authorization", $"Bearer {TestServer.AdminToken}");

    private static async Task<string> RegisterThreeValuesAsync(TestServer server, HttpClient http, string suffix)
    {
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        var url = $"{server.HttpAddress}/api/handles/88.168.1/{suffix}";
        var created = await HttpExchange.SendAsync(http, HttpMethod.Put, url, ThreeValues, Admin);
        Assert.True(created.Status == 201, created.ToString());
        return url;
    }

    // The stored values' indexes: the HS_ADMIN derived for the admin is not stored (HandleNetParityTests covers it).
    private static List<int> Indexes(HttpAnswer answer)
    {
        Assert.True(answer.Status == 200, answer.ToString());
        return [.. answer.Json.GetProperty("values").EnumerateArray().Where(v => v.GetProperty("type").GetString() != "HS_ADMIN").Select(v => v.GetProperty("index").GetInt32())];
    }
}
