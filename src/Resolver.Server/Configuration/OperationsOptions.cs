using System.Globalization;

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

    /// <summary>
    /// The GC heap's hard limit in MiB: "auto" derives it from the L1 budget and the request limits
    /// (<see cref="HeapLimit.Derive"/>), "off" or 0 leaves the runtime's own, a number sets it. With "auto", a limit the
    /// operator gave the runtime (DOTNET_GCHeapHardLimit, runtimeconfig.json) or a tighter container limit stands.
    /// </summary>
    public string HeapLimitMb { get; set; } = "auto";

    /// <summary>Largest --heap-limit-mb a number may give (1 TiB).</summary>
    public const int MaxHeapLimitMb = 1_048_576;

    /// <summary>Smallest --heap-limit-mb a number may give: below it the runtime alone does not fit.</summary>
    public const int MinHeapLimitMb = 64;

    /// <summary>The heap limit setting read: -1 for auto, 0 for off, MiB otherwise; null when it is none of those.</summary>
    public int? HeapLimitSetting =>
        HeapLimitMb.Equals("auto", StringComparison.OrdinalIgnoreCase) ? -1
        : HeapLimitMb.Equals("off", StringComparison.OrdinalIgnoreCase) ? 0
        : int.TryParse(HeapLimitMb, NumberStyles.None, CultureInfo.InvariantCulture, out var mb) && (mb == 0 || mb is >= MinHeapLimitMb and <= MaxHeapLimitMb) ? mb
        : null;
}
