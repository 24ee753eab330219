using System.Text.Json.Serialization;

namespace Resolver.Cli.Bench;

/// <summary>
/// What one <c>resolver bench</c> run measured (after its warm-up): <c>--output json</c> writes exactly these fields.
/// <c>Calls</c>, <c>Ids</c>, the rates and the latencies cover answered calls only: those the server resolved, whatever
/// each identifier's status (an OK, a NOT_FOUND). <c>Refused</c> counts calls it did not answer (over the rate limit,
/// past the deadline, unavailable; a stream the server ended with an error). <c>Errors</c> counts every status other
/// than OK by name, per identifier and per refused call alike. Latencies are per call (unary, batch) or per message
/// (stream), in milliseconds, from HdrHistogram.
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
    long Refused,
    double CallsPerSecond,
    double IdsPerSecond,
    LoadLatency LatencyMs,
    [property: JsonPropertyName("errors")] IReadOnlyDictionary<string, long> Errors);

/// <summary>Latency percentiles in milliseconds.</summary>
internal sealed record LoadLatency(double P50, double P90, double P99, double P999, double Max);
