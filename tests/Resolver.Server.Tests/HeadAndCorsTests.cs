using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// HEAD on every GET route (RFC 9110 §9.3.2: the GET's headers, no content) and CORS for anonymous reads, never with
/// credentials (docs/rest.md), over real HTTP and, where the bytes on the wire matter, a raw socket.
/// </summary>
public sealed class HeadAndCorsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Origin = "https://portal.example";

    // Every GET route of the HTTP port: the Handle and /v1 reads, the registry's reads (with credentials), OpenAPI and its
    // viewer, the probes and /metrics.
    private static readonly string[] GetRoutes =
    [
        "/api/handles/88.168.1/H-1", "/api/handles/88.168.1/NOPE", "/v1/identifiers/88.168.1/H-1", "/v1/info", "/v1/records/88.168.1/H-1",
        "/v1/prefixes/88.168.1/records", "/openapi/v1.json", "/openapi/index.html", "/healthz/live", "/healthz/ready", "/metrics",
    ];

    // The headers a HEAD must repeat from its GET (those that describe the representation, not its framing or the clock).
    private static readonly string[] RepresentationHeaders = ["Content-Type", "ETag", "Cache-Control", "Vary", "Allow", "WWW-Authenticate"];

    [Fact]
    public async Task Head_OnEveryGetRoute_AnswersTheGetsStatusAndHeaders_WithoutContent()
    {
        await using var server = await StartWithARecordAsync();
        using var http = new HttpClient();

        foreach (var route in GetRoutes)
        {
            var get = await HttpExchange.GetAsync(http, server.HttpAddress + route, Admin);
            var head = await HttpExchange.SendAsync(http, HttpMethod.Head, server.HttpAddress + route, null, Admin);

            Assert.True(get.Status == head.Status, $"{route}: GET {get.Status}, HEAD {head.Status}");
            foreach (var name in RepresentationHeaders)
            {
                Assert.True(get.Header(name) == head.Header(name), $"{route}: GET {name}: {get.Header(name)}, HEAD {name}: {head.Header(name)}");
            }

            Assert.Equal("", head.Body);
        }
    }

    [Fact]
    public async Task Head_OnTheWire_SendsNoContent_SoTheNextAnswerOnTheConnectionIsIntact()
    {
        await using var server = await StartWithARecordAsync();

        var wire = await HttpExchange.RawAsync(server.HttpAddress,
            "HEAD /api/handles/88.168.1/H-1 HTTP/1.1", "HEAD /openapi/index.html HTTP/1.1", "GET /healthz/live HTTP/1.1");

        var answers = wire.Split("HTTP/1.1 ", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(answers.Length == 3, wire);
        Assert.EndsWith("\r\n\r\n", answers[0], StringComparison.Ordinal); // headers only
        Assert.EndsWith("\r\n\r\n", answers[1], StringComparison.Ordinal);
        Assert.StartsWith("200", answers[2], StringComparison.Ordinal);
        Assert.EndsWith("Healthy", answers[2].TrimEnd("\r\n0".ToCharArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cors_AnonymousReads_AnyOriginMayReadThem_WithoutCredentials()
    {
        await using var server = await StartWithARecordAsync();
        using var http = new HttpClient();
        string[] reads = ["/api/handles/88.168.1/H-1", "/api/handles/88.168.1/NOPE", "/v1/identifiers/88.168.1/H-1", "/v1/info", "/openapi/v1.json"];

        foreach (var route in reads)
        {
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
            {
                var answer = await HttpExchange.SendAsync(http, method, server.HttpAddress + route, null, ("Origin", Origin));

                Assert.True(answer.Header("Access-Control-Allow-Origin") == "*", $"{method} {route}: {answer}");
                Assert.Null(answer.Header("Access-Control-Allow-Credentials"));
                Assert.Contains("ETag", answer.Header("Access-Control-Expose-Headers") ?? "", StringComparison.Ordinal);
            }
        }

        var batch = await HttpExchange.SendAsync(http, HttpMethod.Post, $"{server.HttpAddress}/v1/identifiers:batchResolve",
            """{"requests":[{"identifier":"88.168.1/H-1"}]}""", ("Origin", Origin));
        Assert.True(batch.Status == 200 && batch.Header("Access-Control-Allow-Origin") == "*", batch.ToString());
    }

    [Fact]
    public async Task Cors_ARequestCarryingCredentials_GetsNoCorsHeaders_AndNoPreflightAllowsSendingThem()
    {
        await using var server = await StartWithARecordAsync();
        using var http = new HttpClient();

        var withCredentials = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/api/handles/88.168.1/H-1", ("Origin", Origin), Admin);
        var transcodedWithCredentials = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/v1/identifiers/88.168.1/H-1", ("Origin", Origin), Admin);
        var preflight = await PreflightAsync(http, $"{server.HttpAddress}/api/handles/88.168.1/H-1", "GET", "authorization");

        Assert.True(withCredentials.Status == 200, withCredentials.ToString());
        Assert.Null(withCredentials.Header("Access-Control-Allow-Origin"));
        Assert.Null(withCredentials.Header("Access-Control-Allow-Credentials"));
        Assert.Contains("Authorization", withCredentials.Header("Vary") ?? "", StringComparison.Ordinal);
        Assert.Null(transcodedWithCredentials.Header("Access-Control-Allow-Origin"));
        Assert.DoesNotContain("authorization", preflight.Header("Access-Control-Allow-Headers") ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual("*", preflight.Header("Access-Control-Allow-Headers"));
        Assert.Null(preflight.Header("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Cors_Preflights_AllowConditionalReadsAndJsonBatches_ButNoWrites()
    {
        await using var server = await StartWithARecordAsync();
        using var http = new HttpClient();
        var handle = $"{server.HttpAddress}/api/handles/88.168.1/H-1";

        var conditionalGet = await PreflightAsync(http, handle, "GET", "if-none-match");
        var conditionalHead = await PreflightAsync(http, handle, "HEAD", "if-none-match");
        var batch = await PreflightAsync(http, $"{server.HttpAddress}/v1/identifiers:batchResolve", "POST", "content-type");
        var put = await PreflightAsync(http, handle, "PUT", "content-type");
        var delete = await PreflightAsync(http, handle, "DELETE", null);
        var registry = await PreflightAsync(http, $"{server.HttpAddress}/v1/records", "POST", "content-type");

        foreach (var allowed in new[] { conditionalGet, conditionalHead, batch })
        {
            Assert.True(allowed.Status == 204 && allowed.Header("Access-Control-Allow-Origin") == "*", allowed.ToString());
            Assert.Null(allowed.Header("Access-Control-Allow-Credentials"));
            Assert.NotNull(allowed.Header("Access-Control-Max-Age"));
        }

        Assert.Contains("If-None-Match", conditionalGet.Header("Access-Control-Allow-Headers") ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Content-Type", batch.Header("Access-Control-Allow-Headers") ?? "", StringComparison.OrdinalIgnoreCase);
        foreach (var refused in new[] { put, delete, registry })
        {
            Assert.True(refused.Header("Access-Control-Allow-Origin") is null, refused.ToString());
        }
    }

    [Fact]
    public async Task Cors_NamedOrigins_OnlyThoseMayRead_AndNoneTurnsItOff()
    {
        await using var named = await StartWithARecordAsync("--cors-origins", $"{Origin}, https://other.example:8443");
        await using var off = await StartWithARecordAsync("--cors-origins", "none");
        using var http = new HttpClient();

        var listed = await HttpExchange.GetAsync(http, $"{named.HttpAddress}/api/handles/88.168.1/H-1", ("Origin", Origin));
        var unlisted = await HttpExchange.GetAsync(http, $"{named.HttpAddress}/api/handles/88.168.1/H-1", ("Origin", "https://evil.example"));
        var turnedOff = await HttpExchange.GetAsync(http, $"{off.HttpAddress}/api/handles/88.168.1/H-1", ("Origin", Origin));
        var turnedOffPreflight = await PreflightAsync(http, $"{off.HttpAddress}/api/handles/88.168.1/H-1", "GET", "if-none-match");

        Assert.Equal(Origin, listed.Header("Access-Control-Allow-Origin"));
        Assert.Contains("Origin", listed.Header("Vary") ?? "", StringComparison.Ordinal);
        Assert.Null(unlisted.Header("Access-Control-Allow-Origin"));
        Assert.Equal(200, turnedOff.Status);
        Assert.Null(turnedOff.Header("Access-Control-Allow-Origin"));
        Assert.Null(turnedOffPreflight.Header("Access-Control-Allow-Origin"));
    }

    private static readonly (string, string) Admin = ("Authorization", $"Bearer {TestServer.AdminToken}");

    private static Task<HttpAnswer> PreflightAsync(HttpClient http, string url, string method, string? headers) =>
        HttpExchange.SendAsync(http, HttpMethod.Options, url, null,
            [("Origin", Origin), ("Access-Control-Request-Method", method), .. headers is null ? Array.Empty<(string, string)>() : [("Access-Control-Request-Headers", headers)]]);

    private static async Task<TestServer> StartWithARecordAsync(params string[] args)
    {
        var server = await TestServer.StartAsync(args);
        await server.RegisterAsync("88.168.1/H-1", "https://example.com/h-1");
        return server;
    }
}
