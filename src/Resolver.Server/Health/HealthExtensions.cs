using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Resolver.Server.Health;

/// <summary>
/// Health as SPEC §5 defines it: <c>Check("")</c> is liveness; the resolution service is ready unless the
/// server starts or drains (a shared dependency outage never makes every pod unready); the registry
/// and admin services are also not ready while the store is down. The same checks serve HTTP probes.
/// </summary>
internal static class HealthExtensions
{
    public static IServiceCollection AddResolverHealthChecks(this IServiceCollection services)
    {
        services.AddGrpcHealthChecks(options =>
        {
            options.Services.Clear();
            options.Services.Map(HealthNames.Liveness, check => check.Tags.Contains(HealthNames.LivenessTag));
            options.Services.Map(HealthNames.Resolution, check => check.Tags.Contains(HealthNames.LifecycleTag));
            options.Services.Map(HealthNames.Registry, check => check.Tags.Any(tag => tag is HealthNames.LifecycleTag or HealthNames.StoreTag));
            options.Services.Map(HealthNames.Admin, check => check.Tags.Any(tag => tag is HealthNames.LifecycleTag or HealthNames.StoreTag));
        })
            .AddCheck("process", () => HealthCheckResult.Healthy("the process answers"), tags: [HealthNames.LivenessTag])
            .AddCheck<LifecycleHealthCheck>("lifecycle", tags: [HealthNames.LifecycleTag])
            .AddCheck<StoreHealthCheck>("store", tags: [HealthNames.StoreTag]);
        return services;
    }

    /// <summary>HTTP probes on the HTTP/1.1 endpoint for tools without gRPC: /healthz/live and /healthz/ready.</summary>
    public static WebApplication MapResolverHealthProbes(this WebApplication app)
    {
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthNames.LivenessTag) });
        app.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthNames.LifecycleTag) });
        return app;
    }
}
