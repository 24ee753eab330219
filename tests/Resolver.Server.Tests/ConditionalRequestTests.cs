using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// RFC 9110 §13 conditional requests on the Handle REST API, over real HTTP: If-Match (strong comparison, <c>*</c> = the
/// handle exists) and If-None-Match (weak comparison, <c>*</c> = it does not) on PUT, DELETE and GET (docs/rest.md).
/// Every refused write is shown to leave the record as it was.
/// </summary>
public sealed class ConditionalRequestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Body = """[{"index":1,"type":"URL","data":"https://acme.example/v2"}]""";

    [Fact]
    public async Task Put_IfNoneMatchStar_IsRefusedWhenTheHandleExists_AndCreatesWhenItDoesNot()
    {
        await using var world = await World.StartAsync();

        var overwrite = await world.PutAsync("C-1", Body, ("If-None-Match", "*"));
        var create = await world.PutAsync("NEW-1", Body, ("If-None-Match", "*"));

        Assert.True((overwrite.Status, overwrite.Code) == (412, 2), overwrite.ToString());
        Assert.Contains("If-None-Match", overwrite.Message, StringComparison.Ordinal);
        Assert.Equal(world.OriginalETag, await world.OwnerETagAsync("C-1"));
        Assert.True((create.Status, create.Code) == (201, 1), create.ToString());
    }

    [Fact]
    public async Task Put_IfMatchStar_IsRefusedWhenTheHandleDoesNotExist_AndReplacesWhenItDoes()
    {
        await using var world = await World.StartAsync();

        var create = await world.PutAsync("NEW-2", Body, ("If-Match", "*"));
        var afterwards = await HttpExchange.GetAsync(world.Http, world.Url("NEW-2"));
        var replace = await world.PutAsync("C-1", Body, ("If-Match", "*"));

        Assert.True((create.Status, create.Code) == (412, 2), create.ToString());
        Assert.Equal(404, afterwards.Status);
        Assert.True((replace.Status, replace.Code) == (200, 1), replace.ToString());
    }

    [Fact]
    public async Task Put_IfMatch_ComparesTheWholeStrongTag()
    {
        await using var world = await World.StartAsync();
        var current = world.OriginalETag;
        var version = current.Trim('"').Split('-')[0];
        var anonymousView = (await HttpExchange.GetAsync(world.Http, world.Url("C-1"))).Header("ETag")!;

        var weak = await world.PutAsync("C-1", Body, ("If-Match", "W/" + current));
        var madeUp = await world.PutAsync("C-1", Body, ("If-Match", $"\"{version}-00000000\""));
        var otherView = await world.PutAsync("C-1", Body, ("If-Match", anonymousView));
        var unquoted = await world.PutAsync("C-1", Body, ("If-Match", current.Trim('"')));
        var unchanged = await world.OwnerETagAsync("C-1");
        var listed = await world.PutAsync("C-1", Body, ("If-Match", $"\"0-00000000\", {current}"));

        Assert.NotEqual(current, anonymousView); // the private value is not in the anonymous answer
        Assert.True((weak.Status, weak.Code) == (412, 2), weak.ToString());
        Assert.True((madeUp.Status, madeUp.Code) == (412, 2), madeUp.ToString());
        Assert.True((otherView.Status, otherView.Code) == (412, 2), otherView.ToString());
        Assert.True((unquoted.Status, unquoted.Code) == (400, 4), unquoted.ToString());
        Assert.Contains("If-Match", unquoted.Message, StringComparison.Ordinal);
        Assert.Equal(current, unchanged);
        Assert.True((listed.Status, listed.Code) == (200, 1), listed.ToString());
    }

    [Fact]
    public async Task Delete_Preconditions_GuardTheHandleAndEachValue()
    {
        await using var world = await World.StartAsync();
        var current = world.OriginalETag;

        var stale = await world.DeleteAsync("C-1", ("If-Match", "\"1-00000000\""));
        var weakForAValue = await world.DeleteAsync("C-1?index=2", ("If-Match", "W/" + current));
        var noneMatchStar = await world.DeleteAsync("C-1", ("If-None-Match", "*"));
        var unchanged = await world.OwnerETagAsync("C-1");
        var oneValue = await world.DeleteAsync("C-1?index=2", ("If-Match", current));
        var left = await world.OwnerGetAsync("C-1");
        var missing = await world.DeleteAsync("NEVER", ("If-Match", "*"));

        Assert.True((stale.Status, stale.Code) == (412, 2), stale.ToString());
        Assert.True((weakForAValue.Status, weakForAValue.Code) == (412, 2), weakForAValue.ToString());
        Assert.True((noneMatchStar.Status, noneMatchStar.Code) == (412, 2), noneMatchStar.ToString());
        Assert.Equal(current, unchanged);
        Assert.True((oneValue.Status, oneValue.Code) == (200, 1), oneValue.ToString());
        Assert.Equal([1, 100], left.Json.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("index").GetInt32())); // 100: the derived HS_ADMIN
        // RFC 9110 §13.2.1: without the precondition the answer would be 404, so it is 404.
        Assert.True((missing.Status, missing.Code) == (404, 100), missing.ToString());
    }

    [Fact]
    public async Task Get_IfNoneMatch_IsNotModifiedForTheCurrentTag_WeakOrStar_AndIfMatchMustHoldStrongly()
    {
        await using var world = await World.StartAsync();
        var url = world.Url("C-1");
        var etag = (await HttpExchange.GetAsync(world.Http, url)).Header("ETag")!;

        var same = await HttpExchange.GetAsync(world.Http, url, ("If-None-Match", etag));
        var weak = await HttpExchange.GetAsync(world.Http, url, ("If-None-Match", "W/" + etag));
        var star = await HttpExchange.GetAsync(world.Http, url, ("If-None-Match", "*"));
        var other = await HttpExchange.GetAsync(world.Http, url, ("If-None-Match", "\"1-00000000\""));
        var head = await HttpExchange.SendAsync(world.Http, HttpMethod.Head, url, null, ("If-None-Match", etag));
        var ifMatchOther = await HttpExchange.GetAsync(world.Http, url, ("If-Match", "\"1-00000000\""));
        var ifMatchWeak = await HttpExchange.GetAsync(world.Http, url, ("If-Match", "W/" + etag));
        var ifMatchSame = await HttpExchange.GetAsync(world.Http, url, ("If-Match", etag));

        Assert.Equal((304, etag), (same.Status, same.Header("ETag")));
        Assert.Equal("", same.Body);
        Assert.Equal(304, weak.Status);
        Assert.Equal(304, star.Status);
        Assert.Equal(200, other.Status);
        Assert.Equal((304, etag), (head.Status, head.Header("ETag")));
        Assert.True((ifMatchOther.Status, ifMatchOther.Code) == (412, 2), ifMatchOther.ToString());
        Assert.Null(ifMatchOther.Header("Cache-Control")); // a 412 is not to be cached
        Assert.Equal(412, ifMatchWeak.Status);
        Assert.Equal(200, ifMatchSame.Status);
    }

    [Fact]
    public async Task ConditionalWrite_ByACallerWhoMayNotWrite_IsRefusedAsSuch_AndEveryRefusalIsAudited()
    {
        await using var world = await World.StartAsync();
        var bolt = (await world.Server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "bolt", Prefix = "88.170.1" }, cancellationToken: Ct)).ApiKey;

        var byOther = await world.PutAsync("C-1", Body, bolt, ("If-Match", "\"1-00000000\""));
        var byOwner = await world.PutAsync("C-1", Body, ("If-Match", "\"1-00000000\""));
        var audit = await world.Server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 100 }, cancellationToken: Ct);

        // RFC 9110 §13.2.1: a write refused without the precondition is refused as such.
        Assert.True((byOther.Status, byOther.Code) == (403, 400), byOther.ToString());
        Assert.True((byOwner.Status, byOwner.Code) == (412, 2), byOwner.ToString());
        Assert.Contains(audit.Entries, e => e.Actor == "enterprise:bolt" && e.Target == "88.168.1/C-1" && e.Outcome == "PERMISSION_DENIED");
        Assert.Contains(audit.Entries, e => e.Actor == "enterprise:acme" && e.Target == "88.168.1/C-1" && e.Operation == "update" && e.Outcome == "ABORTED");
        Assert.Equal(world.OriginalETag, await world.OwnerETagAsync("C-1"));
    }

    /// <summary>A server where enterprise acme owns 88.168.1 and registered 88.168.1/C-1 with a public and a private value.</summary>
    private sealed class World : IAsyncDisposable
    {
        private World(TestServer server, string acme)
        {
            Server = server;
            Acme = acme;
        }

        public TestServer Server { get; }

        public string Acme { get; }

        public HttpClient Http { get; } = new();

        /// <summary>C-1's ETag as its owner reads it, before any test wrote.</summary>
        public string OriginalETag { get; private set; } = "";

        public static async Task<World> StartAsync()
        {
            var server = await TestServer.StartAsync();
            var acme = (await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct)).ApiKey;
            var world = new World(server, acme);
            var created = await world.PutAsync("C-1", """[{"index":1,"type":"URL","data":"https://acme.example/c-1"},{"index":2,"type":"batch","data":"B-1","permissions":"1100"}]""");
            Assert.True(created.Status == 201, created.ToString());
            world.OriginalETag = await world.OwnerETagAsync("C-1");
            return world;
        }

        public string Url(string suffixAndQuery) => $"{Server.HttpAddress}/api/handles/88.168.1/{suffixAndQuery}";

        public Task<HttpAnswer> PutAsync(string suffixAndQuery, string body, params (string, string)[] headers) => PutAsync(suffixAndQuery, body, Acme, headers);

        public Task<HttpAnswer> PutAsync(string suffixAndQuery, string body, string token, params (string, string)[] headers) =>
            HttpExchange.SendAsync(Http, HttpMethod.Put, Url(suffixAndQuery), body, [("Authorization", $"Bearer {token}"), .. headers]);

        public Task<HttpAnswer> DeleteAsync(string suffixAndQuery, params (string, string)[] headers) =>
            HttpExchange.SendAsync(Http, HttpMethod.Delete, Url(suffixAndQuery), null, [("Authorization", $"Bearer {Acme}"), .. headers]);

        public Task<HttpAnswer> OwnerGetAsync(string suffix) => HttpExchange.GetAsync(Http, Url(suffix), ("Authorization", $"Bearer {Acme}"));

        public async Task<string> OwnerETagAsync(string suffix)
        {
            var answer = await OwnerGetAsync(suffix);
            Assert.True(answer.Status == 200, answer.ToString());
            return answer.Header("ETag")!;
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Server.DisposeAsync();
        }
    }
}
