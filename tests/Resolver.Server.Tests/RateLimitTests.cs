using Grpc.Core;
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
}
