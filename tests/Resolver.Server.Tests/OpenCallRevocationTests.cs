using System.Security.Claims;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>A credential revoked or expired while a stream is open stops working on that stream too (SPEC §8).</summary>
public sealed class OpenCallRevocationTests
{
    private const string SigningKey = "a-test-signing-key-of-at-least-32-bytes!";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(string Key, string KeyId)> SeedAsync(TestServer server)
    {
        var created = await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct);
        var create = new CreateRecordRequest { Identifier = "88.168.1/X" };
        create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://x" } });
        create.Values.Add(new Value { Type = "batch", Data = new ValueData { Text = "B-7" }, Permissions = new Permissions { AdminRead = true, AdminWrite = true } });
        await server.Registry.CreateRecordAsync(create, cancellationToken: Ct);
        return (created.ApiKey, created.KeyId);
    }

    private static async Task<int> NextAnswerValuesAsync(AsyncDuplexStreamingCall<ResolveRequest, ResolveResult> call)
    {
        await call.RequestStream.WriteAsync(new ResolveRequest { Identifier = "88.168.1/X" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        return call.ResponseStream.Current.Record.Values.Count;
    }

    [Fact]
    public async Task ResolveStream_KeyRevokedWhileOpen_EndsUnauthenticatedBeforeAnotherPrivateValue()
    {
        await using var server = await TestServer.StartAsync();
        var (key, keyId) = await SeedAsync(server); // the id is given: key ids may themselves contain '_'

        using var call = new Resolution.ResolutionClient(server.As(key)).ResolveStream(cancellationToken: Ct);
        var before = await NextAnswerValuesAsync(call);

        await server.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = keyId }, cancellationToken: Ct);

        var exception = await Assert.ThrowsAsync<RpcException>(() => NextAnswerValuesAsync(call));
        Assert.Equal(2, before);
        Assert.Equal(StatusCode.Unauthenticated, exception.StatusCode);
        Assert.Contains("revoked", exception.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveStream_JwtExpiresWhileOpen_EndsUnauthenticated()
    {
        var clock = new ShiftedTimeProvider();
        await using var server = await TestServer.StartAsync(services => services.AddSingleton<TimeProvider>(clock), "--jwt-signing-key", SigningKey);
        await SeedAsync(server);
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", "acme")]),
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)), SecurityAlgorithms.HmacSha256),
        });
        using var call = new Resolution.ResolutionClient(server.As(token)).ResolveStream(cancellationToken: Ct);
        var before = await NextAnswerValuesAsync(call);

        clock.Shift(TimeSpan.FromMinutes(6)); // past expiry and the 30 s skew

        var exception = await Assert.ThrowsAsync<RpcException>(() => NextAnswerValuesAsync(call));
        Assert.Equal(2, before);
        Assert.Equal(StatusCode.Unauthenticated, exception.StatusCode);
        Assert.Contains("expired", exception.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_KeyRevokedWhileOpen_EndsUnauthenticatedInsteadOfSendingTheNextChange()
    {
        await using var server = await TestServer.StartAsync();
        var (key, keyId) = await SeedAsync(server);
        using var watch = new Registry.RegistryClient(server.As(key)).Watch(new WatchRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        await watch.ResponseHeadersAsync;

        await server.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = keyId }, cancellationToken: Ct);
        await server.RegisterAsync("88.168.1/AFTER", "https://after");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        var exception = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(deadline.Token));
        Assert.Equal(StatusCode.Unauthenticated, exception.StatusCode);
        Assert.Contains("revoked", exception.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BulkUpsert_KeyRevokedWhileOpen_EndsUnauthenticatedAndWritesNothingMore()
    {
        await using var server = await TestServer.StartAsync();
        var (key, keyId) = await SeedAsync(server);
        using var call = new Registry.RegistryClient(server.As(key)).BulkUpsert(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(Upsert("88.168.1/B1"), Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var first = call.ResponseStream.Current;

        await server.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = keyId }, cancellationToken: Ct);
        await call.RequestStream.WriteAsync(Upsert("88.168.1/B2"), Ct);

        var exception = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));
        Assert.Equal(UpsertOutcome.Created, first.Outcome);
        Assert.Equal(StatusCode.Unauthenticated, exception.StatusCode);
        var missing = await Assert.ThrowsAsync<RpcException>(() => server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/B2" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    private static UpsertRecordRequest Upsert(string identifier)
    {
        var request = new UpsertRecordRequest { Identifier = identifier };
        request.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://bulk" } });
        return request;
    }
}
