using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// pyhandle (EUDAT's Handle REST client; 1.0.4, commit 1f3e075c, RESTHandleClient) registering, modifying and deleting a
/// handle against a fresh node, replayed from what it sent through a logging proxy when it was run by hand (docs/rest.md
/// "Tried with pyhandle"): the same requests, byte for byte bodies, the same Basic header shape, and after each answer
/// the check pyhandle makes of it (its hsresponses module), since CI cannot download pyhandle.
/// </summary>
public sealed class PyhandleReplayTests
{
    private const string Handle = "88.168.1/PYHANDLE-001";

    // RESTHandleClient.register_handle(h, url, checksum=...): HS_ADMIN first, as __create_admin_entry writes it (index "200" a string).
    private const string RegisterBody = """{"values": [{"index": 100, "type": "HS_ADMIN", "data": {"value": {"index": "200", "handle": "0.NA/88.168.1", "permissions": "011111110011"}, "format": "admin"}}, {"index": 1, "type": "URL", "data": "https://acme.example/pyhandle-001"}, {"index": 2, "type": "CHECKSUM", "data": "abc123"}]}""";

    // modify_handle_value(h, URL=..., EMAIL=...): the URL entry as read back (ttl kept, timestamp dropped), EMAIL at the next free index.
    private const string ModifyBody = """{"values": [{"index": 1, "type": "URL", "data": "https://acme.example/pyhandle-001/v2", "ttl": 86400}, {"index": 3, "type": "EMAIL", "data": "parts@acme.example"}]}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pyhandle_RegistersModifiesAndDeletes_WithBasicAdminHandleCredentials_EachAnswerAsItsChecksExpect()
    {
        await using var server = await TestServer.StartAsync();
        var key = (await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct)).ApiKey;
        // utilhandle.create_authentication_string: quote('300:88.168.1/ADMIN') + ':' + password, base64.
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"300%3A88.168.1/ADMIN:{key}"));
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(server.HttpAddress) };

        // The one step docs/rest.md asks for first: the admin handle must resolve, as pyhandle checks it exists (curl -u).
        var adminHandle = await SendAsync(http, "PUT", "/api/handles/88.168.1/ADMIN", basic, """[{"index":1,"type":"DESC","data":"admin handle of enterprise acme"}]""");
        Assert.True(adminHandle.Status == 201, adminHandle.ToString());

        // instantiate_with_username_and_password → check_if_username_exists: does_handle_exist, and the same handle.
        var username = await SendAsync(http, "GET", "/api/handles/88.168.1/ADMIN");
        Assert.True(Success(username), username.ToString());
        Assert.Equal("88.168.1/ADMIN", username.Json.GetProperty("handle").GetString());

        // register_handle(overwrite=False): retrieve first (handle_not_found), then PUT ?overwrite=false (was_handle_created).
        var absent = await SendAsync(http, "GET", $"/api/handles/{Handle}");
        Assert.True((absent.Status, absent.Code) == (404, 100), absent.ToString());
        var registered = await SendAsync(http, "PUT", $"/api/handles/{Handle}?overwrite=false", basic, RegisterBody);
        Assert.True((registered.Status, registered.Code) == (201, 1), registered.ToString());
        Assert.Equal(Handle, registered.Json.GetProperty("handle").GetString());
        var afterRegister = await SendAsync(http, "GET", $"/api/handles/{Handle}");
        Assert.Equal([("URL", "https://acme.example/pyhandle-001"), ("CHECKSUM", "abc123")], Record(afterRegister));

        // modify_handle_value: retrieve, then PUT ?index=1&index=3&overwrite=true (handle_success).
        var modified = await SendAsync(http, "PUT", $"/api/handles/{Handle}?index=1&index=3&overwrite=true", basic, ModifyBody);
        Assert.True(Success(modified), modified.ToString());
        var afterModify = await SendAsync(http, "GET", $"/api/handles/{Handle}");
        Assert.Equal([("URL", "https://acme.example/pyhandle-001/v2"), ("CHECKSUM", "abc123"), ("EMAIL", "parts@acme.example")], Record(afterModify));

        // delete_handle_value(h, 'EMAIL'): DELETE ?index=3 (handle_success).
        var valueDeleted = await SendAsync(http, "DELETE", $"/api/handles/{Handle}?index=3", basic);
        Assert.True(Success(valueDeleted), valueDeleted.ToString());
        var afterValueDelete = await SendAsync(http, "GET", $"/api/handles/{Handle}");
        Assert.Equal([("URL", "https://acme.example/pyhandle-001/v2"), ("CHECKSUM", "abc123")], Record(afterValueDelete));

        // delete_handle(h): DELETE (handle_success); retrieve_handle_record_json then answers None (handle_not_found).
        var deleted = await SendAsync(http, "DELETE", $"/api/handles/{Handle}", basic);
        Assert.True(Success(deleted), deleted.ToString());
        var gone = await SendAsync(http, "GET", $"/api/handles/{Handle}");
        Assert.True((gone.Status, gone.Code) == (404, 100), gone.ToString());

        var audit = await server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 10 }, cancellationToken: Ct);
        Assert.Equal(["delete", "update", "update", "create", "create"], audit.Entries.Where(e => e.Actor == "enterprise:acme").Select(e => e.Operation));
    }

    // hsresponses.handle_success: 200 or 201 with responseCode 1.
    private static bool Success(HttpAnswer answer) => answer.Status is 200 or 201 && answer.Code == 1;

    // retrieve_handle_record: type → data.value, first of each type.
    private static List<(string?, string?)> Record(HttpAnswer answer)
    {
        Assert.True(Success(answer), answer.ToString());
        return [.. answer.Json.GetProperty("values").EnumerateArray().Select(v => (v.GetProperty("type").GetString(), v.GetProperty("data").GetProperty("value").GetString()))];
    }

    // The headers python-requests 2.28.1 sent for pyhandle: Accept application/json on reads; */* and the Basic header on
    // writes; Content-Type application/json (no charset) on PUT; the body as the bytes json.dumps wrote.
    private static async Task<HttpAnswer> SendAsync(HttpClient http, string method, string target, string? authorization = null, string? body = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), target);
        request.Headers.TryAddWithoutValidation("User-Agent", "python-requests/2.28.1");
        request.Headers.TryAddWithoutValidation("Accept", method == "GET" ? "application/json" : "*/*");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        else if (method == "DELETE")
        {
            request.Content = new ByteArrayContent([]); // requests sends Content-Length: 0 on a DELETE
        }

        using var response = await http.SendAsync(request, Ct);
        var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(text.Length == 0 || JsonDocument.Parse(text).RootElement.ValueKind == JsonValueKind.Object, text);
        return new HttpAnswer((int)response.StatusCode, headers, text);
    }
}
