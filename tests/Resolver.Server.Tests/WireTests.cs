using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Protocol.V1;
using Resolver.Server.Tests.TestWire;

namespace Resolver.Server.Tests;

/// <summary>
/// One call pipeline for every wire (issue 23; docs/architecture.md "Every call, every wire"): a wire of the tests' own
/// (<see cref="LineWire"/>, no ASP.NET type in it) resolves with the same caller, visibility, rate-limit buckets and
/// metrics as gRPC; and every wire enforces the same caps (batch size, request bytes, filters per query).
/// </summary>
[Collection(MetricsScrapes.Name)]
public sealed class WireTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(TestServer Server, LineWire Wire)> StartWithLineWireAsync(params string[] args)
    {
        var server = await TestServer.StartAsync(LineWire.Register, args);
        return (server, server.Services.GetRequiredService<LineWire>());
    }

    private static async Task<string[]> AskAsync(LineWire wire, params string[] lines)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, wire.Port, Ct);
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        var answers = new List<string>();
        foreach (var line in lines)
        {
            await writer.WriteLineAsync(line);
            answers.Add(await reader.ReadLineAsync(Ct) ?? throw new IOException("the wire closed the connection"));
        }

        return [.. answers];
    }

    [Fact]
    public async Task LineWire_ResolvesThroughTheSamePipeline_CallerVisibilityRefusalsAndMetrics()
    {
        var (server, wire) = await StartWithLineWireAsync();
        await using var _ = server;
        var acme = await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct);
        var create = new CreateRecordRequest { Identifier = "88.168.1/W1" };
        create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://acme.example/w1" } });
        create.Values.Add(new Value { Type = "EMAIL", Data = new ValueData { Text = "ops@acme.example" }, Permissions = new Permissions { AdminRead = true, AdminWrite = true } });
        await new Registry.RegistryClient(server.As(acme.ApiKey)).CreateRecordAsync(create, cancellationToken: Ct);
        var before = await PrometheusScrape.ReadAsync(server.HttpAddress, Ct);

        var answers = await AskAsync(wire, "- 88.168.1/W1", $"{acme.ApiKey} 88.168.1/W1", "rk_bogus_key 88.168.1/W1", "- 88.168.1/none", "- 88.168.1/W1 EMAIL");
        var after = await PrometheusScrape.ReadAsync(server.HttpAddress, Ct);

        Assert.Equal(["URL"], Types(answers[0]));
        Assert.Equal(["URL", "EMAIL"], Types(answers[1]));
        Assert.StartsWith("ERR Unauthenticated invalid-credentials", answers[2], StringComparison.Ordinal);
        Assert.StartsWith("ERR NotFound identifier-not-found", answers[3], StringComparison.Ordinal);
        Assert.Empty(Types(answers[4])); // the private value is withheld from anonymous callers
        Assert.Equal(3, after.Sum("resolver_requests_total", $"method={LineWire.Method}", "code=OK") - before.Sum("resolver_requests_total", $"method={LineWire.Method}", "code=OK"));
        Assert.Equal(1, after.Sum("resolver_requests_total", $"method={LineWire.Method}", "code=UNAUTHENTICATED") - before.Sum("resolver_requests_total", $"method={LineWire.Method}", "code=UNAUTHENTICATED"));
    }

    [Fact]
    public async Task RateLimit_IsOneBucketPerCallerAcrossWires()
    {
        var (server, wire) = await StartWithLineWireAsync("--rate-limit", "3");
        await using var _ = server;

        // The gRPC calls spend the address's bucket; the line wire's first call from the same address then finds it empty.
        // (A bucket refills once a second: three tries make a refill between the two wires no excuse.)
        var refusedOnTheOtherWire = false;
        for (var attempt = 0; attempt < 3 && !refusedOnTheOtherWire; attempt++)
        {
            for (var i = 0; i < 8; i++)
            {
                try
                {
                    await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.1/x" }, cancellationToken: Ct);
                }
                catch (RpcException)
                {
                    // NOT_FOUND or RESOURCE_EXHAUSTED: either spends or finds the bucket empty
                }
            }

            refusedOnTheOtherWire = (await AskAsync(wire, "- 88.1/x"))[0].StartsWith("ERR ResourceExhausted rate-limited", StringComparison.Ordinal);
        }

        Assert.True(refusedOnTheOtherWire, "the line wire had a bucket of its own");
    }

    [Fact]
    public async Task RefusedCredential_IsRefusedBeforeAnyServiceInEachWiresOwnForm()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.HttpAddress) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "rk_bogus_key");

        var grpc = await Assert.ThrowsAsync<RpcException>(() => new Resolution.ResolutionClient(server.As("rk_bogus_key"))
            .ResolveAsync(new ResolveRequest { Identifier = "88.1/x" }, cancellationToken: Ct).ResponseAsync);
        using var rest = await http.GetAsync(new Uri("/api/handles/88.1/x", UriKind.Relative), Ct);
        var restBody = JsonDocument.Parse(await rest.Content.ReadAsStringAsync(Ct)).RootElement;
        using var json = await http.GetAsync(new Uri("/v1/identifiers/88.1/x", UriKind.Relative), Ct);

        Assert.Equal((StatusCode.Unauthenticated, "invalid-credentials"), (grpc.StatusCode, Reason(grpc)));
        Assert.Equal((HttpStatusCode.Unauthorized, 402, "88.1/x"), (rest.StatusCode, restBody.GetProperty("responseCode").GetInt32(), restBody.GetProperty("handle").GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, json.StatusCode);
        Assert.Equal(16, JsonDocument.Parse(await json.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task BatchCap_HoldsOnGrpcAndJson()
    {
        await using var server = await TestServer.StartAsync("--max-batch-size", "3");
        var batch = new BatchResolveRequest();
        batch.Requests.AddRange(Enumerable.Range(0, 4).Select(i => new ResolveRequest { Identifier = $"88.1/{i}" }));
        using var http = new HttpClient { BaseAddress = new Uri(server.HttpAddress) };

        var grpc = await Assert.ThrowsAsync<RpcException>(() => server.Resolution.BatchResolveAsync(batch, cancellationToken: Ct).ResponseAsync);
        using var json = await http.PostAsync(new Uri("/v1/identifiers:batchResolve", UriKind.Relative),
            new StringContent(Google.Protobuf.JsonFormatter.Default.Format(batch), Encoding.UTF8, "application/json"), Ct);

        Assert.Equal((StatusCode.InvalidArgument, "batch-too-large"), (grpc.StatusCode, Reason(grpc)));
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Contains("at most 3 identifiers", await json.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessageBytes_HoldOnEveryWire_AnAnonymousJsonBodyPastTheLimitIsRefused()
    {
        await using var server = await TestServer.StartAsync("--max-message-bytes", "65536");
        var batch = new BatchResolveRequest();
        batch.Requests.AddRange(Enumerable.Range(0, 500).Select(i => new ResolveRequest { Identifier = $"88.1/{new string('x', 200)}{i}" }));
        using var http = new HttpClient { BaseAddress = new Uri(server.HttpAddress) };

        var grpc = await Assert.ThrowsAsync<RpcException>(() => server.Resolution.BatchResolveAsync(batch, cancellationToken: Ct).ResponseAsync);
        using var json = await http.PostAsync(new Uri("/v1/identifiers:batchResolve", UriKind.Relative),
            new StringContent(Google.Protobuf.JsonFormatter.Default.Format(batch), Encoding.UTF8, "application/json"), Ct);
        using var rest = await http.PutAsync(new Uri("/api/handles/88.1/big", UriKind.Relative),
            new StringContent($"{{\"values\":[{{\"index\":1,\"type\":\"URL\",\"data\":{{\"format\":\"string\",\"value\":\"{new string('x', 100_000)}\"}}}}]}}", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
        // JSON transcoding reads the body itself and answers its own refusal: 400 INVALID_ARGUMENT naming the limit.
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Contains("max request body size is 65536 bytes", await json.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, rest.StatusCode);
        Assert.Equal(4, JsonDocument.Parse(await rest.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("responseCode").GetInt32());
    }

    [Fact]
    public async Task FiltersPerQuery_AreCappedOnEveryWire()
    {
        var (server, wire) = await StartWithLineWireAsync();
        await using var _ = server;
        var types = Enumerable.Range(0, 101).Select(i => $"T{i}").ToArray();
        var request = new ResolveRequest { Identifier = "88.1/x" };
        request.Types_.AddRange(types);
        using var http = new HttpClient { BaseAddress = new Uri(server.HttpAddress) };

        var grpc = await Assert.ThrowsAsync<RpcException>(() => server.Resolution.ResolveAsync(request, cancellationToken: Ct).ResponseAsync);
        using var rest = await http.GetAsync(new Uri("/api/handles/88.1/x?" + string.Join('&', types.Select(t => $"type={t}")), UriKind.Relative), Ct);
        using var json = await http.GetAsync(new Uri("/v1/identifiers/88.1/x?" + string.Join('&', types.Select(t => $"types={t}")), UriKind.Relative), Ct);
        var line = (await AskAsync(wire, "- 88.1/x " + string.Join(' ', types)))[0];

        Assert.Equal((StatusCode.InvalidArgument, "invalid-filter"), (grpc.StatusCode, Reason(grpc)));
        Assert.Equal(HttpStatusCode.BadRequest, rest.StatusCode);
        Assert.Contains("at most 100", await rest.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.StartsWith("ERR InvalidArgument invalid-filter", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FiltersPerRequest_AreCappedOnEveryBatchWire_WholeRequestRefusedNamingTheLimit()
    {
        // 2,000 queries of 6 filters: each query is within its 100, the request (12,000) is past its 10,000.
        await using var server = await TestServer.StartAsync();
        var batch = new BatchResolveRequest();
        for (var i = 0; i < 2000; i++)
        {
            var query = new ResolveRequest { Identifier = $"88.1/x{i}" };
            query.Types_.AddRange(["URL.", "EMAIL", "T1", "T2", "T3"]);
            query.Indexes.Add(1);
            batch.Requests.Add(query);
        }

        using var http = new HttpClient { BaseAddress = new Uri(server.HttpAddress) };

        var grpc = await Assert.ThrowsAsync<RpcException>(() => server.Resolution.BatchResolveAsync(batch, cancellationToken: Ct).ResponseAsync);
        using var json = await http.PostAsync(new Uri("/v1/identifiers:batchResolve", UriKind.Relative),
            new StringContent(Google.Protobuf.JsonFormatter.Default.Format(batch), Encoding.UTF8, "application/json"), Ct);

        Assert.Equal((StatusCode.InvalidArgument, "too-many-filters"), (grpc.StatusCode, Reason(grpc)));
        Assert.Contains("12000 type and index filters", grpc.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("at most 10000 per request", grpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Contains("at most 10000 per request", await json.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static string[] Types(string answer)
    {
        Assert.StartsWith("OK ", answer, StringComparison.Ordinal);
        return [.. JsonDocument.Parse(answer[3..]).RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetProperty("Type").GetString()!)];
    }

    private static string Reason(RpcException exception) =>
        Resolver.Protocol.V1.Problem.Parser.ParseFrom(exception.Trailers.GetValueBytes(Api.ProblemMetadata.TrailerKey)).Reason;
}
