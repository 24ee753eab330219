using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Resolver.Server.Tests;

/// <summary>What a real HTTP client saw: the status, every header (response and content headers together) and the body.</summary>
internal sealed record HttpAnswer(int Status, Dictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>Handle's responseCode.</summary>
    public int Code => Json.GetProperty("responseCode").GetInt32();

    /// <summary>The message of a Handle answer or a transcoded status.</summary>
    public string Message => Json.GetProperty("message").GetString() ?? "";

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public override string ToString() => $"{Status} {string.Join("; ", Headers.Select(h => $"{h.Key}: {h.Value}"))} {Body}";
}

/// <summary>
/// HTTP exchanges with a test server through <see cref="HttpClient"/>, headers sent as given (no validation, so that a
/// malformed one reaches the server), and raw exchanges over one socket where the bytes on the wire are the point.
/// </summary>
internal static class HttpExchange
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<HttpAnswer> SendAsync(HttpClient http, HttpMethod method, string url, string? body = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        foreach (var (name, value) in headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value), $"cannot send header {name}");
        }

        using var response = await http.SendAsync(request, Ct);
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            all[name] = string.Join(", ", values);
        }

        return new HttpAnswer((int)response.StatusCode, all, await response.Content.ReadAsStringAsync(Ct));
    }

    public static Task<HttpAnswer> GetAsync(HttpClient http, string url, params (string Name, string Value)[] headers) =>
        SendAsync(http, HttpMethod.Get, url, null, headers);

    /// <summary>
    /// Sends <paramref name="requests"/> (each a request line and headers, no body) one after the other on one connection,
    /// the last with <c>Connection: close</c>, and returns every byte the server answered before it closed the connection.
    /// A server that keeps it open (a response framed wrongly, so it waits for more) fails the test after 30 s.
    /// </summary>
    public static async Task<string> RawAsync(string httpAddress, params string[] requests)
    {
        var uri = new Uri(httpAddress);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port, bound.Token);
        var stream = client.GetStream();
        var text = string.Concat(requests.Select((r, i) => $"{r}\r\nHost: {uri.Authority}\r\n{(i == requests.Length - 1 ? "Connection: close\r\n" : "")}\r\n"));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), bound.Token);
        using var answer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(answer, bound.Token);
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            Assert.Fail($"the server kept the connection open 30 s after answering: {Encoding.UTF8.GetString(answer.ToArray())}");
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }
}
