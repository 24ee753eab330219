using System.Text.Json;

namespace Resolver.Server.Tests;

/// <summary>
/// An identifier in one path segment with its '/' as <c>%2F</c> — what Swagger UI's "Try it out" and generated clients
/// send for the OpenAPI description's path parameters — names the same identifier as the '/' written out, on every
/// route shape that takes one (docs/rest.md); <c>%252F</c> stays a literal "%2F".
/// </summary>
public sealed class EncodedSlashTests
{
    private static readonly (string, string) Admin = ("Authorization", $"Bearer {TestServer.AdminToken}");

    [Fact]
    public async Task EveryGetInTheOpenApiDocument_WithItsIdentifierEncodedAsAViewerEncodesIt_Answers()
    {
        await using var server = await TestServer.StartAsync();
        await server.RegisterAsync("88.168.1/SLASH/1", "https://example.com/slash-1");
        using var http = new HttpClient();
        var document = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{server.HttpAddress}/openapi/v1.json"), TestContext.Current.CancellationToken)).RootElement;

        var tried = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            if (!path.Value.TryGetProperty("get", out _) || !(path.Name.Contains("{identifier}", StringComparison.Ordinal) || path.Name.Contains("{handle}", StringComparison.Ordinal)))
            {
                continue;
            }

            // Swagger UI encodes a path parameter with encodeURIComponent: '/' becomes %2F.
            var url = server.HttpAddress + path.Name.Replace("{identifier}", Uri.EscapeDataString("88.168.1/SLASH/1"), StringComparison.Ordinal)
                .Replace("{handle}", Uri.EscapeDataString("88.168.1/SLASH/1"), StringComparison.Ordinal);
            var answer = await HttpExchange.GetAsync(http, url, Admin);

            Assert.True(answer.Status == 200, $"GET {url}: {answer}");
            Assert.Contains("https://example.com/slash-1", answer.Body, StringComparison.Ordinal);
            tried.Add(path.Name);
        }

        Assert.Equal(["/api/handles/{handle}", "/v1/identifiers/{identifier}", "/v1/records/{identifier}"], tried.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Writes_WithTheIdentifierEncodedInOneSegment_ActOnThatIdentifier()
    {
        await using var server = await TestServer.StartAsync();
        await server.RegisterAsync("88.168.1/W/1", "https://example.com/w-1");
        await server.RegisterAsync("88.168.1/W/2", "https://example.com/w-2");
        using var http = new HttpClient();
        var b = server.HttpAddress;

        var patched = await HttpExchange.SendAsync(http, HttpMethod.Patch, $"{b}/v1/records/88.168.1%2FW%2F1", """{"values":[{"index":2,"type":"EMAIL","data":{"text":"w@example.com"}}]}""", Admin);
        var put = await HttpExchange.SendAsync(http, HttpMethod.Put, $"{b}/api/handles/88.168.1%2fW%2f3", """[{"type":"URL","data":"https://example.com/w-3"}]""", Admin);
        var deletedJson = await HttpExchange.SendAsync(http, HttpMethod.Delete, $"{b}/v1/records/88.168.1%2FW%2F2", null, Admin);
        var deletedHandle = await HttpExchange.SendAsync(http, HttpMethod.Delete, $"{b}/api/handles/88.168.1%2FW%2F1?index=2", null, Admin);
        var w1 = await HttpExchange.GetAsync(http, $"{b}/api/handles/88.168.1/W/1", Admin);
        var w2 = await HttpExchange.GetAsync(http, $"{b}/api/handles/88.168.1/W/2", Admin);
        var w3 = await HttpExchange.GetAsync(http, $"{b}/v1/identifiers/88.168.1%2FW%2F3");

        Assert.True(patched.Status == 200, patched.ToString());
        Assert.Equal("88.168.1/W/1", patched.Json.GetProperty("identifier").GetString());
        Assert.True(put.Status == 201, put.ToString());
        Assert.True(deletedJson.Status == 200, deletedJson.ToString());
        Assert.True(deletedHandle.Status == 200, deletedHandle.ToString());
        Assert.Equal(["URL", "HS_ADMIN"], w1.Json.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("type").GetString())); // the EMAIL PATCH added, then the DELETE removed; HS_ADMIN is derived
        Assert.Equal(404, w2.Status);
        Assert.Contains("deleted", w2.Message, StringComparison.Ordinal);
        Assert.True(w3.Status == 200, w3.ToString());
        Assert.Equal("88.168.1/W/3", w3.Json.GetProperty("record").GetProperty("identifier").GetString());
    }

    [Fact]
    public async Task EncodedPercent_IsDecodedOnce_SoPercent252FIsALiteralPercent2F()
    {
        await using var server = await TestServer.StartAsync();
        await server.RegisterAsync("88.168.1/P%2FQ", "https://example.com/literal");
        using var http = new HttpClient();

        var literal = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/v1/identifiers/88.168.1%2FP%252FQ");
        var literalAfterSlash = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/v1/identifiers/88.168.1/P%252FQ");
        var slash = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/v1/identifiers/88.168.1%2FP%2FQ");

        Assert.True(literal.Status == 200, literal.ToString());
        Assert.Equal("88.168.1/P%2FQ", literal.Json.GetProperty("record").GetProperty("identifier").GetString());
        Assert.True(literalAfterSlash.Status == 200, literalAfterSlash.ToString());
        Assert.Equal(404, slash.Status); // 88.168.1/P/Q: another identifier, not registered
    }
}
