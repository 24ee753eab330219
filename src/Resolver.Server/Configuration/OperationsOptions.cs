namespace Resolver.Server.Configuration;

/// <summary>How the node is observed and how it stops (flags in <see cref="ServerSettings"/>; SPEC §11, docs/operations.md).</summary>
public sealed class OperationsOptions
{
    /// <summary>OTLP/gRPC collector URL for traces, e.g. http://otel-collector:4317; no traces are exported without it.</summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary>
    /// Seconds in-flight calls get to finish after SIGTERM (readiness is NOT_SERVING from its first moment, new
    /// connections are refused); what is still running then is cut. Keep Kubernetes' terminationGracePeriodSeconds above it.
    /// </summary>
    [SettingRange(1, 3600)]
    public int DrainSeconds { get; set; } = 20;
}
