using Grpc.Core;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>A replica whose store goes away before its first request behaves like a warm one: per item, grammar first.</summary>
public sealed class ColdReplicaTests : IAsyncLifetime
{
    private PostgresServer _postgres = null!;
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync(Ct);
        _server = await TestServer.StartAsync("--store", "postgres:" + _postgres.ConnectionString.Replace(";Pooling=false", "", StringComparison.Ordinal));
        await _postgres.StopAsync(Ct); // before the replica read its prefix table or any key
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Resolve_MalformedIdentifier_IsInvalidArgumentWhateverTheStore()
    {
        var exception = await Assert.ThrowsAsync<RpcException>(() => _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88..1/bad" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
    }

    [Fact]
    public async Task BatchResolve_ThreeItems_EachAnsweredWithItsOwnStatus()
    {
        var batch = new BatchResolveRequest();
        batch.Requests.Add(new ResolveRequest { Identifier = "88..1/bad" });
        batch.Requests.Add(new ResolveRequest { Identifier = "88.168.1/A" });
        batch.Requests.Add(new ResolveRequest { Identifier = "" });

        var response = await _server.Resolution.BatchResolveAsync(batch, cancellationToken: Ct);

        Assert.Equal([(int)StatusCode.InvalidArgument, (int)StatusCode.Unavailable, (int)StatusCode.InvalidArgument], response.Results.Select(r => r.Status.Code));
    }

    [Fact]
    public async Task ResolveStream_ThreeItems_AllAnswered()
    {
        using var call = _server.Resolution.ResolveStream(cancellationToken: Ct);
        foreach (var identifier in new[] { "88..1/bad", "88.168.1/A", "88.168.1/B" })
        {
            await call.RequestStream.WriteAsync(new ResolveRequest { Identifier = identifier }, Ct);
        }

        await call.RequestStream.CompleteAsync();
        var codes = new List<int>();
        await foreach (var result in call.ResponseStream.ReadAllAsync(Ct))
        {
            codes.Add(result.Status.Code);
        }

        Assert.Equal([(int)StatusCode.InvalidArgument, (int)StatusCode.Unavailable, (int)StatusCode.Unavailable], codes);
    }

    [Fact]
    public async Task Resolve_WithAnApiKeyTheReplicaCannotCheck_IsUnavailableNotUnauthenticated()
    {
        var key = "rk_AAAAAAAAAAAA_" + new string('A', 43);

        var exception = await Assert.ThrowsAsync<RpcException>(() => new Resolution.ResolutionClient(_server.As(key)).ResolveAsync(new ResolveRequest { Identifier = "88.168.1/A" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, exception.StatusCode);
    }
}
