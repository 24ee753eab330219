using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Caching;
using Resolver.Core.Resolution;
using Resolver.Core.Storage;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// The HTTP surface (docs/rest.md) against a real server: Handle.Net's REST API through curl and through an independent
/// Python client, the JSON shape the docs promise, JSON transcoding, OpenAPI, and the shared per-caller rate limit.
/// </summary>
public sealed partial class RestApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HandleGet_EachCode_CurlSeesHandlesResponseCodeAndHttpStatus()
    {
        await using var server = await TestServer.StartAsync();
        await RegisterAsync(server, TestServer.AdminToken, "88.168.1/ABC-001",
            Text(1, "URL", "https://example.com/abc-001", ttl: 600),
            Text(2, "URL.pdf", "https://example.com/abc-001.pdf"),
            Text(3, "EMAIL", "parts@example.com"));
        var url = $"{server.HttpAddress}/api/handles/88.168.1/ABC-001";

        var found = await CurlAsync(url);
        var etag = found.Header("ETag");
        var notModified = await CurlAsync(url, "-H", $"If-None-Match: {etag}");
        var missing = await CurlAsync($"{server.HttpAddress}/api/handles/88.168.1/NOPE");
        var invalid = await CurlAsync($"{server.HttpAddress}/api/handles/88..1/ABC-001");
        var dotDot = await CurlAsync($"{server.HttpAddress}/api/handles/88.168.1/x/../ABC-001", "--path-as-is");
        var noMatch = await CurlAsync($"{url}?type=NOPE");
        var subtypes = await CurlAsync($"{url}?type=url.");
        var byIndex = await CurlAsync($"{url}?index=3&pretty");

        Assert.Equal((200, 1), (found.Status, found.Code));
        Assert.Equal(3, found.Json.GetProperty("values").GetArrayLength());
        Assert.Equal("public, max-age=600", found.Header("Cache-Control"));
        Assert.StartsWith("\"1-", etag, StringComparison.Ordinal);
        Assert.Equal(304, notModified.Status);
        Assert.Equal((404, 100), (missing.Status, missing.Code));
        Assert.Equal((400, 102), (invalid.Status, invalid.Code));
        Assert.Contains("empty-segment", invalid.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal((400, 102), (dotDot.Status, dotDot.Code));
        Assert.Equal((200, 200), (noMatch.Status, noMatch.Code));
        Assert.Equal(0, noMatch.Json.GetProperty("values").GetArrayLength());
        Assert.Equal(["URL", "URL.pdf"], Types(subtypes.Json));
        Assert.Equal(["EMAIL"], Types(byIndex.Json));
        Assert.Contains("\n  \"responseCode\": 1", byIndex.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleGet_UnexpectedFailure_IsCode2Http500WithAnErrorIdAndNoInternalText()
    {
        await using var server = await TestServer.StartAsync(services =>
            services.Configure<RecordSourceChain>(chain => chain.InsertBefore<StoreRecordSource, BrokenStage>()));
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);

        var failed = await CurlAsync($"{server.HttpAddress}/api/handles/88.168.1/NOT-CACHED");

        Assert.Equal((500, 2), (failed.Status, failed.Code));
        Assert.Contains("error id", failed.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(BrokenStage.Secret, failed.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", failed.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleWrites_UnderTheOwnershipRulesOfGrpc_CurlSeesHandlesCodes()
    {
        await using var server = await TestServer.StartAsync();
        var acme = (await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct)).ApiKey;
        var bolt = (await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "bolt", Prefix = "88.170.1" }, cancellationToken: Ct)).ApiKey;
        var url = $"{server.HttpAddress}/api/handles/88.168.1/W-1";
        const string Body = """[{"index":1,"type":"URL","data":{"format":"string","value":"https://acme.example/w-1"}},{"index":2,"type":"batch","data":"B-1","permissions":"1100"}]""";

        var anonymous = await CurlAsync(url, "-X", "PUT", "-d", Body);
        var otherEnterprise = await CurlAsync(url, "-X", "PUT", "-d", Body, "-H", $"Authorization: Bearer {bolt}");
        var created = await CurlAsync(url, "-X", "PUT", "-d", Body, "-H", $"Authorization: Bearer {acme}", "-H", "Content-Type: application/json");
        var refused = await CurlAsync($"{url}?overwrite=false", "-X", "PUT", "-d", Body, "-H", $"Authorization: Bearer {acme}");
        var replaced = await CurlAsync(url, "-X", "PUT", "-d", """{"values":[{"index":5,"type":"URL","data":"https://acme.example/w-1/v2"}]}""", "-H", $"Authorization: Bearer {acme}");
        var afterReplace = await CurlAsync(url, "-H", $"Authorization: Bearer {acme}");
        var oneValue = await CurlAsync($"{url}?index=7", "-X", "PUT", "-d", """[{"index":7,"type":"EMAIL","data":"w@acme.example"},{"index":8,"type":"ignored","data":"x"}]""", "-H", $"Authorization: Bearer {acme}");
        var valueTaken = await CurlAsync($"{url}?index=7&overwrite=false", "-X", "PUT", "-d", """{"index":7,"type":"EMAIL","data":"x"}""", "-H", $"Authorization: Bearer {acme}");
        var stale = await CurlAsync(url, "-X", "PUT", "-d", Body, "-H", $"Authorization: Bearer {acme}", "-H", "If-Match: \"1-00000000\"");
        var badValue = await CurlAsync(url, "-X", "PUT", "-d", """[{"index":1,"type":"URL","data":{"format":"hex","value":"zz"}}]""", "-H", $"Authorization: Bearer {acme}");
        var notHomed = await CurlAsync($"{server.HttpAddress}/api/handles/88.999/W-1", "-X", "PUT", "-d", Body, "-H", $"Authorization: Bearer {TestServer.AdminToken}");
        var missingValue = await CurlAsync($"{url}?index=99", "-X", "DELETE", "-H", $"Authorization: Bearer {acme}");
        var deleteByOther = await CurlAsync(url, "-X", "DELETE", "-H", $"Authorization: Bearer {bolt}");
        var deleted = await CurlAsync(url, "-X", "DELETE", "-H", $"Authorization: Bearer {acme}");
        var gone = await CurlAsync(url);
        var audit = await server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 100 }, cancellationToken: Ct);

        Assert.Equal((401, 402), (anonymous.Status, anonymous.Code));
        Assert.Equal("Bearer, Basic realm=\"handle\", charset=\"UTF-8\"", anonymous.Header("WWW-Authenticate"));
        Assert.Equal((403, 400), (otherEnterprise.Status, otherEnterprise.Code));
        Assert.Equal((201, 1), (created.Status, created.Code));
        Assert.Equal((409, 101), (refused.Status, refused.Code));
        Assert.Equal((200, 1), (replaced.Status, replaced.Code));
        Assert.Equal(["URL", "HS_ADMIN"], Types(afterReplace.Json)); // HS_ADMIN: derived from the owner, for the owner
        Assert.Equal(5, afterReplace.Json.GetProperty("values")[0].GetProperty("index").GetInt32());
        Assert.Equal((200, 1), (oneValue.Status, oneValue.Code));
        Assert.Equal((409, 201), (valueTaken.Status, valueTaken.Code));
        Assert.Equal((412, 2), (stale.Status, stale.Code));
        Assert.Equal((400, 202), (badValue.Status, badValue.Code));
        Assert.Equal((400, 301), (notHomed.Status, notHomed.Code));
        Assert.Equal((400, 200), (missingValue.Status, missingValue.Code));
        Assert.Equal((403, 400), (deleteByOther.Status, deleteByOther.Code));
        Assert.Equal((200, 1), (deleted.Status, deleted.Code));
        Assert.Equal((404, 100), (gone.Status, gone.Code));
        Assert.Contains("deleted", gone.Json.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(audit.Entries, e => e.Actor == "enterprise:bolt" && e.Target == "88.168.1/W-1" && e.Outcome == "PERMISSION_DENIED");
        Assert.Contains(audit.Entries, e => e.Actor == "enterprise:acme" && e.Operation == "delete" && e.Outcome == "OK");
    }

    [Fact]
    public async Task HandleGet_SuffixesABrowserWouldEncode_AnIndependentPythonClientResolvesThem()
    {
        await using var server = await TestServer.StartAsync();
        string[] identifiers = ["88.168.1/A/B", "88.168.1/C#1", "88.168.1/D?x=1&y=2", "88.168.1/E F", "88.168.1/部件-001", "88.168.1/100%/ü ß"];
        for (var i = 0; i < identifiers.Length; i++)
        {
            await RegisterAsync(server, TestServer.AdminToken, identifiers[i], Text(1, "URL", $"https://example.com/{i}"));
        }

        var encoded = await PythonClientAsync([server.HttpAddress, .. identifiers]);
        var slashesKept = await PythonClientAsync([server.HttpAddress, "--keep-slashes", "--type", "URL", .. identifiers]);

        foreach (var answers in new[] { encoded, slashesKept })
        {
            Assert.Equal(identifiers.Length, answers.Count);
            for (var i = 0; i < identifiers.Length; i++)
            {
                var answer = answers[i];
                Assert.Equal(identifiers[i], answer.GetProperty("asked").GetString());
                Assert.Equal(200, answer.GetProperty("status").GetInt32());
                Assert.Equal(1, answer.GetProperty("responseCode").GetInt32());
                Assert.Equal(identifiers[i], answer.GetProperty("handle").GetString());
                Assert.Equal($"https://example.com/{i}", answer.GetProperty("values")[0].GetProperty("value").GetString());
            }
        }
    }

    [Fact]
    public async Task Shape_AnonymousAndOwner_MatchDocsRestMdFieldByField()
    {
        await using var server = await TestServer.StartAsync();
        var acme = (await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct)).ApiKey;
        var binary = new Value { Index = 2, Type = "checksum", Data = new ValueData { Binary = ByteString.CopyFrom(0x00, 0x01, 0xFE, 0xFF) } };
        var reference = Text(3, "partOf", "assembly");
        reference.References.Add(new Reference { Identifier = "88.168.1/ASSEMBLY-9", Index = 1 });
        var batch = Text(4, "batch", "B-7");
        batch.Permissions = new Permissions { AdminRead = true, AdminWrite = true };
        await RegisterAsync(server, acme, "88.168.1/SHAPE-1", Text(1, "URL", "https://acme.example/shape-1", ttl: 3600), binary, reference, batch);
        var docs = Repository.Read("docs", "rest.md");

        using var http = new HttpClient();
        var anonymous = await http.GetStringAsync(new Uri($"{server.HttpAddress}/api/handles/88.168.1/SHAPE-1"), Ct);
        using var asOwner = new HttpRequestMessage(HttpMethod.Get, $"{server.HttpAddress}/api/handles/88.168.1/SHAPE-1");
        asOwner.Headers.Authorization = new("Bearer", acme);
        var owner = await (await http.SendAsync(asOwner, Ct)).Content.ReadAsStringAsync(Ct);

        AssertSameShape(DocumentedShape(docs, "anonymous"), JsonDocument.Parse(anonymous).RootElement, "$");
        AssertSameShape(DocumentedShape(docs, "owner"), JsonDocument.Parse(owner).RootElement, "$");
    }

    [Fact]
    public async Task Transcoding_ResolutionAndRegistry_JsonOverTheHttp1Port()
    {
        await using var server = await TestServer.StartAsync();
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = new Uri(server.HttpAddress) };
        using var create = new HttpRequestMessage(HttpMethod.Post, "/v1/records")
        {
            Content = new StringContent("""{"identifier":"88.168.1/T/1","values":[{"type":"URL","data":{"text":"https://example.com/t1"}}]}""", Encoding.UTF8, "application/json"),
        };
        create.Headers.Authorization = new("Bearer", TestServer.AdminToken);

        var created = await http.SendAsync(create, Ct);
        var resolved = await http.GetAsync(new Uri("/v1/identifiers/88.168.1/T/1?types=URL", UriKind.Relative), Ct);
        var missing = await http.GetAsync(new Uri("/v1/identifiers/88.168.1/NOPE", UriKind.Relative), Ct);
        var registryAnonymous = await http.GetAsync(new Uri("/v1/records/88.168.1/T/1", UriKind.Relative), Ct);
        var batch = await http.PostAsync(new Uri("/v1/identifiers:batchResolve", UriKind.Relative),
            new StringContent("""{"requests":[{"identifier":"88.168.1/T/1"},{"identifier":"88..1/x"}]}""", Encoding.UTF8, "application/json"), Ct);
        var info = await http.GetAsync(new Uri("/v1/info", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        var record = JsonDocument.Parse(await resolved.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("record");
        Assert.Equal("88.168.1/T/1", record.GetProperty("identifier").GetString());
        Assert.Equal("https://example.com/t1", record.GetProperty("values")[0].GetProperty("data").GetProperty("text").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, registryAnonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var results = JsonDocument.Parse(await batch.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("results");
        Assert.Equal(3, results[1].GetProperty("status").GetProperty("code").GetInt32());
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
    }

    [Fact]
    public async Task RateLimit_RestTranscodedAndGrpc_TakeFromTheSameCallersBucket()
    {
        await using var server = await TestServer.StartAsync("--rate-limit", "5");
        using var http = new HttpClient { BaseAddress = new Uri(server.HttpAddress) };

        // Exhaust the anonymous caller's bucket over gRPC, then ask over HTTP at once: a bucket per transport would answer.
        // The bucket refills once a second, so a refill may fall in between: a few attempts (each exhausts it again), any
        // one shows it; with a bucket per transport none would.
        var shared = false;
        HttpResponseMessage? rest = null, transcoded = null;
        for (var attempt = 0; attempt < 5 && !shared; attempt++)
        {
            for (var i = 0; i < 6; i++)
            {
                await StatusOfAsync(() => server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.1/x" }, cancellationToken: Ct).ResponseAsync);
            }

            rest = await http.GetAsync(new Uri("/api/handles/88.1/x", UriKind.Relative), Ct);
            transcoded = await http.GetAsync(new Uri("/v1/identifiers/88.1/x", UriKind.Relative), Ct);
            shared = rest.StatusCode == HttpStatusCode.TooManyRequests && transcoded.StatusCode == HttpStatusCode.TooManyRequests;
        }

        Assert.True(shared, $"REST answered {rest?.StatusCode}, transcoding {transcoded?.StatusCode} right after gRPC exhausted the bucket");
        Assert.NotNull(rest!.Headers.RetryAfter);
        Assert.Equal(3, JsonDocument.Parse(await rest.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("responseCode").GetInt32());
        Assert.Equal((int)StatusCode.ResourceExhausted, JsonDocument.Parse(await transcoded!.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task OpenApi_DocumentDescribesHandleAndTranscodedRoutes_AndTheViewerLoadsIt()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.HttpAddress) };

        var json = await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct);
        var document = JsonDocument.Parse(json).RootElement;
        var read = new Microsoft.OpenApi.Readers.OpenApiStringReader().Read(json, out var diagnostic);
        var invalid = Microsoft.OpenApi.Extensions.OpenApiElementExtensions.Validate(read, Microsoft.OpenApi.Validations.ValidationRuleSet.GetDefaultRuleSet());
        var viewer = await http.GetStringAsync(new Uri("/openapi/index.html", UriKind.Relative), Ct);
        var viewerConfig = await http.GetStringAsync(new Uri("/openapi/index.js", UriKind.Relative), Ct);

        Assert.Empty(diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.Empty(invalid.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/handles/{handle}", paths);
        Assert.Contains("/v1/identifiers/{identifier}", paths);
        Assert.Contains("/v1/records", paths);
        Assert.DoesNotContain(paths, p => p.Contains("Admin", StringComparison.OrdinalIgnoreCase));
        var operations = document.GetProperty("paths").GetProperty("/api/handles/{handle}").EnumerateObject()
            .Select(o => o.Value.GetProperty("operationId").GetString()).ToList();
        Assert.Equal(["handles.get", "handles.put", "handles.delete"], operations);
        Assert.Contains("swagger-ui", viewer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("/openapi/v1.json", viewerConfig, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_Document_IsGeneratedOnce_AndEveryRequestGetsTheSameBytes()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.HttpAddress) };

        var first = await http.GetByteArrayAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct);
        var second = await http.GetByteArrayAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct);
        var third = await http.GetByteArrayAsync(new Uri("/openapi/v1.json", UriKind.Relative), Ct);
        var cache = server.Services.GetRequiredService<Rest.OpenApiDocumentCache>();

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.Same(cache.Json, cache.Json);
        Assert.Equal(1, cache.Builds);
    }

    // --- helpers ---

    private static Value Text(int index, string type, string text, int? ttl = null)
    {
        var value = new Value { Index = index, Type = type, Data = new ValueData { Text = text } };
        if (ttl is { } seconds)
        {
            value.Ttl = seconds;
        }

        return value;
    }

    private static async Task RegisterAsync(TestServer server, string token, string identifier, params Value[] values)
    {
        var prefix = identifier[..identifier.IndexOf('/', StringComparison.Ordinal)];
        try
        {
            await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = prefix }, cancellationToken: Ct);
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.AlreadyExists)
        {
            // homed already (by an enterprise's creation)
        }

        var request = new CreateRecordRequest { Identifier = identifier };
        request.Values.Add(values);
        await new Registry.RegistryClient(server.As(token)).CreateRecordAsync(request, cancellationToken: Ct);
    }

    private static List<string> Types(JsonElement answer) =>
        [.. answer.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("type").GetString()!)];

    private static async Task<StatusCode> StatusOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }

    /// <summary>What curl saw: the status, the headers and the body (Handle JSON when there is one).</summary>
    private sealed record CurlAnswer(int Status, Dictionary<string, string> Headers, string Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        public int Code => Json.GetProperty("responseCode").GetInt32();

        public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
    }

    private static async Task<CurlAnswer> CurlAsync(string url, params string[] options)
    {
        var output = await RunAsync("curl", ["-sS", "-D", "-", .. options, url],
            "curl is needed by the REST tests (a real Handle client): install it, e.g. apt-get install -y curl");

        // The headers of the final response, then the body.
        var split = output.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? output : output[..split];
        var body = split < 0 ? "" : output[(split + 4)..];
        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        return new CurlAnswer(status, headers, body);
    }

    private static async Task<List<JsonElement>> PythonClientAsync(string[] arguments)
    {
        var script = Path.Combine(Repository.Root(), "tests", "Resolver.Server.Tests", "HandleClient", "handle_rest_client.py");
        var output = await RunAsync("python3", [script, .. arguments],
            "python3 is needed by the REST tests (an independent Handle REST client): install it, e.g. apt-get install -y python3");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];
    }

    private static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string installHint)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException(installHint);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException(installHint);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(Ct);
            var error = process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct);
            Assert.True(process.ExitCode == 0, $"{program} exited with {process.ExitCode}: {await error}");
            return await output;
        }
    }

    // The JSON block following "<!-- shape: NAME -->" in docs/rest.md.
    private static JsonElement DocumentedShape(string docs, string name)
    {
        var match = Regex.Match(docs, $"<!-- shape: {name} -->\\s*```json\\n(.*?)\\n```", RegexOptions.Singleline);
        Assert.True(match.Success, $"docs/rest.md has no \"shape: {name}\" block");
        return JsonDocument.Parse(match.Groups[1].Value).RootElement;
    }

    // Same fields in the same order, same kinds and values; timestamps by their format (Handle's: seconds, UTC).
    private static void AssertSameShape(JsonElement expected, JsonElement actual, string path)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: documented {expected.ValueKind}, answered {actual.ValueKind}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var documented = expected.EnumerateObject().Select(p => p.Name).ToList();
                var answered = actual.EnumerateObject().Select(p => p.Name).ToList();
                Assert.True(documented.SequenceEqual(answered), $"{path}: documented fields [{string.Join(", ", documented)}], answered [{string.Join(", ", answered)}]");
                foreach (var property in expected.EnumerateObject())
                {
                    AssertSameShape(property.Value, actual.GetProperty(property.Name), $"{path}.{property.Name}");
                }

                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: documented {expected.GetArrayLength()} items, answered {actual.GetArrayLength()}");
                for (var i = 0; i < expected.GetArrayLength(); i++)
                {
                    AssertSameShape(expected[i], actual[i], $"{path}[{i}]");
                }

                break;
            case JsonValueKind.String when path.EndsWith(".timestamp", StringComparison.Ordinal):
                Assert.Matches(HandleTimestamp(), actual.GetString()!);
                break;
            default:
                Assert.True(expected.GetRawText() == actual.GetRawText(), $"{path}: documented {expected.GetRawText()}, answered {actual.GetRawText()}");
                break;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex HandleTimestamp();

    /// <summary>A stage that fails as a bug would, with text that must never reach a caller.</summary>
    private sealed class BrokenStage(IRecordSource next) : IRecordSource
    {
        public const string Secret = "secret-internal-detail";

        public ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken) =>
            keys.Count > 0 ? throw new InvalidOperationException(Secret) : next.GetManyAsync(keys, context, cancellationToken);
    }
}
