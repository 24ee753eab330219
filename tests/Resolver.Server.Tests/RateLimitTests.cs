using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

public sealed class RateLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Resolve_OverTheCallersRate_IsResourceExhaustedWithRetryInfo_OtherCallersUnaffected()
    {
        await using var server = await TestServer.StartAsync("--rate-limit", "1");
        var statuses = new List<StatusCode>();
        RpcException? refused = null;

        for (var i = 0; i < 10; i++)
        {
            try
            {
                await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.1/x" }, cancellationToken: Ct);
            }
            catch (RpcException exception)
            {
                statuses.Add(exception.StatusCode);
                refused = exception.StatusCode == StatusCode.ResourceExhausted ? exception : refused;
            }
        }

        // Another caller (the admin's credential) has a bucket of its own.
        var info = await new Resolution.ResolutionClient(server.As(TestServer.AdminToken)).GetServerInfoAsync(new GetServerInfoRequest(), cancellationToken: Ct);

        Assert.Contains(StatusCode.ResourceExhausted, statuses);
        Assert.Contains("retry in", refused!.Status.Detail, StringComparison.Ordinal);
        Assert.NotNull(refused.Trailers.GetValue("grpc-retry-pushback-ms"));
        Assert.Equal(1, info.Limits.RateLimitPerSecond);
    }

    [Fact]
    public async Task Resolve_EachWithADifferentBogusToken_SharesTheClientAddressBucket()
    {
        await using var server = await TestServer.StartAsync("--rate-limit", "1");
        var statuses = new List<StatusCode>();

        for (var i = 0; i < 20; i++)
        {
            statuses.Add(await StatusOfAsync(() => new Resolution.ResolutionClient(server.As($"bogus-{Guid.NewGuid():N}")).ResolveAsync(new ResolveRequest { Identifier = "88.1/x" }, cancellationToken: Ct).ResponseAsync));
        }

        Assert.Contains(StatusCode.Unauthenticated, statuses);
        Assert.Contains(StatusCode.ResourceExhausted, statuses);
    }

    [Fact]
    public async Task Resolve_OneEnterpriseUsingManyOfItsKeys_SharesOneBucket()
    {
        await using var server = await TestServer.StartAsync("--rate-limit", "5");
        var keys = new List<string> { (await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme" }, cancellationToken: Ct)).ApiKey };
        for (var i = 0; i < 4; i++)
        {
            keys.Add((await server.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Enterprise = "acme" }, cancellationToken: Ct)).ApiKey);
        }

        var statuses = new List<StatusCode>();
        for (var round = 0; round < 4; round++)
        {
            foreach (var key in keys)
            {
                statuses.Add(await StatusOfAsync(() => new Resolution.ResolutionClient(server.As(key)).ResolveAsync(new ResolveRequest { Identifier = "88.1/x" }, cancellationToken: Ct).ResponseAsync));
            }
        }

        // Five keys with a bucket of five each would pass these twenty calls; one enterprise is one bucket.
        Assert.Contains(StatusCode.ResourceExhausted, statuses);
    }

    [Theory]
    [InlineData("/resolver.v1.Resolution/Resolve")]
    [InlineData("/Resolver.v1.Resolution/Resolve")]
    [InlineData("/RESOLVER.V1.REGISTRY/CreateRecord")]
    public async Task AnySpellingOfAMethodPath_IsThrottledAlike(string path)
    {
        await using var server = await TestServer.StartAsync("--rate-limit", "1");
        using var http = new HttpClient();
        var statuses = new List<string?>();

        for (var i = 0; i < 10; i++)
        {
            statuses.Add((await RawGrpc.PostAsync(http, server.GrpcAddress, path, [], token: null, Ct)).Status);
        }

        Assert.Contains("8", statuses);
    }

    [Theory]
    [InlineData("/Resolver.v1.Resolution/Resolve")]
    [InlineData("/RESOLVER.V1.REGISTRY/CreateRecord")]
    public async Task Garbage_OnAnySpellingOfAMethodPath_IsInvalidArgument(string path)
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient();

        var (status, message) = await RawGrpc.PostAsync(http, server.GrpcAddress, path, [0xFF, 0xFF, 0xFF], token: null, Ct);

        Assert.Equal("3", status);
        Assert.Contains("is not a valid resolver.v1.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedCredentials_ManyAttempts_AreOneAuditRowWithTheirCount()
    {
        await using var server = await TestServer.StartAsync();
        for (var i = 0; i < 25; i++)
        {
            var create = new CreateRecordRequest { Identifier = "88.1/x" };
            create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://x" } });
            Assert.Equal(StatusCode.Unauthenticated, await StatusOfAsync(() => new Registry.RegistryClient(server.As($"bogus-{i}")).CreateRecordAsync(create, cancellationToken: Ct).ResponseAsync));
        }

        var audit = await server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 100 }, cancellationToken: Ct);

        var refused = Assert.Single(audit.Entries, e => e.Outcome == "UNAUTHENTICATED");
        Assert.Equal("anonymous", refused.Actor);
        Assert.Equal("resolver.v1.Registry/CreateRecord", refused.Operation);
        Assert.Equal("(invalid credential ×25 from 127.0.0.1)", refused.Target);
    }

    [Fact]
    public async Task RefusedCredentialAudit_StopWithACancelledToken_WritesTheCountsAndDoesNotThrow()
    {
        await using var server = await TestServer.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(StatusCode.Unauthenticated, await StatusOfAsync(() => new Registry.RegistryClient(server.As("bogus")).DeleteRecordAsync(new DeleteRecordRequest { Identifier = "88.1/x" }, cancellationToken: Ct).ResponseAsync));
        }

        var refusals = server.Services.GetRequiredService<Security.RefusedCredentialAudit>();
        using var spent = new CancellationTokenSource();
        await spent.CancelAsync(); // the host's stop token after a drain that used all its time

        await refusals.StopAsync(spent.Token);

        var audit = await server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 100 }, cancellationToken: Ct);
        Assert.Equal("(invalid credential ×4 from 127.0.0.1)", Assert.Single(audit.Entries, e => e.Outcome == "UNAUTHENTICATED").Target);
    }

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
}
