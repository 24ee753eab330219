using System.Text.Json.Serialization;

namespace Resolver.Cli.Bench;

/// <summary>
/// What one <c>resolver bench</c> run measured (after its warm-up): <c>--output json</c> writes exactly these fields.
/// Latencies are per call (unary, batch) or per message (stream), in milliseconds, from HdrHistogram.
/// </summary>
internal sealed record LoadReport(
    string Mode,
    string Server,
    int Concurrency,
    int Connections,
    int BatchSize,
    double Seconds,
    long Calls,
    long Ids,
    double CallsPerSecond,
    double IdsPerSecond,
    LoadLatency LatencyMs,
    [property: JsonPropertyName("errors")] IReadOnlyDictionary<string, long> Errors);

/// <summary>Latency percentiles in milliseconds.</summary>
internal sealed record LoadLatency(double P50, double P90, double P99, double P999, double Max);
