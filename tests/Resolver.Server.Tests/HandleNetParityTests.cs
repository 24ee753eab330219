using Grpc.Core;
using Resolver.Handle;
using Resolver.Protocol.V1;
using Resolver.Server.Api;
using Resolver.Server.Tests.Handle;

namespace Resolver.Server.Tests;

/// <summary>
/// Where the Handle REST API answers as CNRI's Handle.Net 9.0 server does (issue 25, docs/rest.md "Compared with CNRI's
/// Handle.Net 9.0"): the rows a Handle client could depend on, each against a real server.
/// </summary>
public sealed class HandleNetParityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Read_UnderAPrefixNeitherHomedNorReachable_Is400Code301_OnEveryWireAlike_WhileADelegatedOneResolves()
    {
        await using var site = await TestServer.StartAsync();
        await using var recursive = await TestServer.StartAsync("--recursive", "true");
        await site.RegisterAsync("88.168.1/ABC", "https://example.com/abc");
        await FederationTests.DelegateAsync(recursive, "88.168.1", site.GrpcAddress);
        using var http = new HttpClient();
        await using var handleClient = HandleProtocolTests.ClientOf(recursive);

        var delegated = await HttpExchange.GetAsync(http, $"{recursive.HttpAddress}/api/handles/88.168.1/ABC");
        var unknown = await HttpExchange.GetAsync(http, $"{recursive.HttpAddress}/api/handles/99.9/ABC");
        var viaGrpc = await Assert.ThrowsAsync<RpcException>(() => recursive.Resolution.ResolveAsync(new ResolveRequest { Identifier = "99.9/ABC" }, cancellationToken: Ct).ResponseAsync);
        var viaHandle = await HandleProtocolTests.ResolveAsync(handleClient, "99.9/ABC", HandleTransport.Tcp);

        Assert.True((delegated.Status, delegated.Code) == (200, 1), delegated.ToString()); // resolved through the chain, not "not responsible"
        Assert.True((unknown.Status, unknown.Code) == (400, 301), unknown.ToString());
        Assert.Contains("99.9", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("99.9/ABC", unknown.Json.GetProperty("handle").GetString());
        Assert.Equal(StatusCode.NotFound, viaGrpc.StatusCode);
        Assert.Equal("prefix-not-homed", Resolver.Protocol.V1.Problem.Parser.ParseFrom(viaGrpc.Trailers.GetValueBytes(ProblemMetadata.TrailerKey)).Reason);
        Assert.Equal(ResponseCode.ServerNotResponsible, viaHandle.Code);
    }

    [Fact]
    public async Task Read_NotRegisteredUnderAHomedPrefix_StaysCode100Http404()
    {
        await using var server = await TestServer.StartAsync();
        await server.RegisterAsync("88.168.1/ABC", "https://example.com/abc");
        using var http = new HttpClient();

        var missing = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/api/handles/88.168.1/NOPE");

        Assert.True((missing.Status, missing.Code) == (404, 100), missing.ToString());
    }

    [Theory]
    [InlineData("88.168.1")]
    [InlineData("ABC-001")]
    public async Task Read_ANameWithoutSlash_Is400Code301AsHandleNetAnswers(string name)
    {
        await using var server = await TestServer.StartAsync();
        await server.RegisterAsync("88.168.1/ABC", "https://example.com/abc");
        using var http = new HttpClient();

        var answer = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/api/handles/{name}");
        var malformed = await HttpExchange.RawAsync(server.HttpAddress, "GET /api/handles/88.168.1/A%ZZ HTTP/1.1"); // as sent; HttpClient would escape the '%'

        Assert.True((answer.Status, answer.Code) == (400, 301), answer.ToString());
        Assert.Contains("missing-slash", answer.Message, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400 ", malformed, StringComparison.Ordinal); // Resolver's 400/102 stays (CNRI: 404, a mangled handle)
        Assert.Contains("\"responseCode\":102", malformed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_PublicOnlyFalseWithoutCredentials_Is403Code402_WhetherOrNotTheHandleExists()
    {
        await using var server = await TestServer.StartAsync();
        await server.RegisterAsync("88.168.1/ABC", "https://example.com/abc");
        using var http = new HttpClient();

        var existing = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/api/handles/88.168.1/ABC?publicOnly=false");
        var missing = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/api/handles/88.168.1/NOPE?publicOnly=false");
        var asAdmin = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/api/handles/88.168.1/ABC?publicOnly=false", ("Authorization", $"Bearer {TestServer.AdminToken}"));
        var publicOnly = await HttpExchange.GetAsync(http, $"{server.HttpAddress}/api/handles/88.168.1/ABC?publicOnly=true");

        Assert.True((existing.Status, existing.Code) == (403, 402), existing.ToString());
        Assert.Contains("publicOnly=false", existing.Message, StringComparison.Ordinal);
        Assert.True((missing.Status, missing.Code) == (403, 402), missing.ToString()); // permission before state
        Assert.True((asAdmin.Status, asAdmin.Code) == (200, 1), asAdmin.ToString());
        Assert.True((publicOnly.Status, publicOnly.Code) == (200, 1), publicOnly.ToString());
    }
}
