using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Resolver.Caching;
using Resolver.Core.Resolution;
using Resolver.Server.Configuration;

namespace Resolver.Server.Telemetry;

/// <summary>
/// Metrics and traces with OpenTelemetry (SPEC §11): the node's "Resolver" meter plus ASP.NET Core's and Kestrel's,
/// scraped by Prometheus at <c>/metrics</c>; traces to an OTLP collector when <c>--otlp-endpoint</c> names one.
/// </summary>
internal static class TelemetryExtensions
{
    public static IServiceCollection AddResolverTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<CacheMetrics>();
        services.TryAddSingleton<ResolutionMetrics>();
        services.TryAddSingleton<RequestMetrics>();
        services.TryAddSingleton<ChangeFeedMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Routing.MatcherPolicy, LocalPortMatcherPolicy>());

        services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(CacheMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
                // Every scrape sees every call made before it (the exporter's default keeps a response for 300 ms).
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0))
            .WithTracing(tracing => tracing
                .AddSource("Microsoft.AspNetCore")
                // Without a collector no span is even recorded (the hot path pays nothing); with one, every call is traced
                // unless its caller's trace says otherwise.
                .SetSampler(provider => Collector(provider) is null ? new AlwaysOffSampler() : new ParentBasedSampler(new AlwaysOnSampler()))
                .AddProcessor(provider => Collector(provider) is { } endpoint
                    ? new BatchActivityExportProcessor(new OtlpTraceExporter(new OtlpExporterOptions { Endpoint = endpoint }))
                    : new NoExport()));
        return services;
    }

    private static Uri? Collector(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<OperationsOptions>>().Value.OtlpEndpoint is { Length: > 0 } endpoint ? new Uri(endpoint) : null;

    // What stands in for the exporter when no collector is named (the sampler records nothing anyway).
    private sealed class NoExport : BaseProcessor<System.Diagnostics.Activity>;

    /// <summary>Counts every routed call (after routing, before anything can refuse it) and serves <c>/metrics</c>.</summary>
    public static WebApplication UseResolverTelemetry(this WebApplication app)
    {
        // The gauge of the change feed is read at each scrape; creating it once is enough.
        _ = app.Services.GetRequiredService<ChangeFeedMetrics>();
        app.UseMiddleware<RequestMetricsMiddleware>();
        // Only on the cleartext HTTP port (--http-url), which stays inside the cluster; never on the TLS port clients use,
        // whatever Host header they send: the port the connection arrived on decides.
        var httpPort = new Uri(app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value.HttpUrl).Port;
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new LocalPortOnly(httpPort));
        return app;
    }
}
