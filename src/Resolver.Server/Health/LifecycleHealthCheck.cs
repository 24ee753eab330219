using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resolver.Server.Health;

/// <summary>Healthy between "started" and "stopping": readiness is withdrawn while the server starts and while it drains.</summary>
internal sealed class LifecycleHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("draining")
            : lifetime.ApplicationStarted.IsCancellationRequested ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("starting"));
}
