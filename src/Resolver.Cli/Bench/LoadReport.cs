using System.Text.Json.Serialization;

namespace Resolver.Cli.Bench;

/// <summary>
/// What one <c>resolver bench</c> run measured (after its warm-up): <c>--output json</c> writes exactly these fields.
/// <c>Calls</c>, the rates and the latencies cover answered calls only (stream: messages), and <c>Ids</c> the identifiers
/// the server resolved, whatever the answer (an OK, a NOT_FOUND, an invalid identifier); an item refused inside a batch
/// or stream (UNAVAILABLE, RESOURCE_EXHAUSTED) is not among them. <c>Refused</c> counts calls the server did not answer
/// (over the rate limit, past the deadline, unavailable; a stream it ended with an error); their latency is in no
/// percentile, the slow ones (DEADLINE_EXCEEDED) included. <c>Errors</c> counts every status other than OK by name, per
/// identifier and per refused call alike. Latencies are per call (unary, batch) or per message (stream), in
/// milliseconds, from HdrHistogram.
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
    [property: JsonPropertyName("errors")] IReadOnlyDictionary<string, long> Errors)
{
    /// <summary>The status most refused calls ended with (for the warning); null when none was refused.</summary>
    [JsonIgnore]
    public string? CommonestRefusal { get; init; }
}

/// <summary>Latency percentiles in milliseconds.</summary>
internal sealed record LoadLatency(double P50, double P90, double P99, double P999, double Max);
