using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Resolver.Server.Health;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace Resolver.Server.Tests;

public sealed class HealthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("")]
    [InlineData("resolver.v1.Resolution")]
    [InlineData("resolver.v1.Registry")]
    [InlineData("resolver.v1.Admin")]
    public async Task Check_RunningServer_IsServing(string service)
    {
        await using var server = await TestServer.StartAsync();
        var health = new Grpc.Health.V1.Health.HealthClient(server.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest { Service = service }, cancellationToken: Ct);

        Assert.Equal(ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Check_UnknownService_IsNotFound()
    {
        await using var server = await TestServer.StartAsync();
        var health = new Grpc.Health.V1.Health.HealthClient(server.Channel);

        var exception = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "nope" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, exception.StatusCode);
    }

    [Fact]
    public async Task HttpProbes_RunningServer_AreHealthy()
    {
        await using var server = await TestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.HttpAddress) };

        Assert.Equal("Healthy", await http.GetStringAsync(new Uri("/healthz/live", UriKind.Relative), Ct));
        Assert.Equal("Healthy", await http.GetStringAsync(new Uri("/healthz/ready", UriKind.Relative), Ct));
    }

    [Fact]
    public async Task Lifecycle_StartingServingDraining_IsUnhealthyHealthyUnhealthy()
    {
        var lifetime = new FakeLifetime();
        var check = new LifecycleHealthCheck(lifetime);

        var starting = await check.CheckHealthAsync(new HealthCheckContext(), Ct);
        lifetime.Started.Cancel();
        var serving = await check.CheckHealthAsync(new HealthCheckContext(), Ct);
        lifetime.Stopping.Cancel();
        var draining = await check.CheckHealthAsync(new HealthCheckContext(), Ct);

        Assert.Equal([HealthStatus.Unhealthy, HealthStatus.Healthy, HealthStatus.Unhealthy], [starting.Status, serving.Status, draining.Status]);
        Assert.Equal("draining", draining.Description);
    }

    private sealed class FakeLifetime : IHostApplicationLifetime, IDisposable
    {
        public CancellationTokenSource Started { get; } = new();

        public CancellationTokenSource Stopping { get; } = new();

        public CancellationToken ApplicationStarted => Started.Token;

        public CancellationToken ApplicationStopping => Stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stopping.Cancel();

        public void Dispose()
        {
            Started.Dispose();
            Stopping.Dispose();
        }
    }
}
