using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using Resolver.Caching;
using Resolver.Server.Api;

namespace Resolver.Server.Telemetry;

/// <summary>
/// Calls by method and gRPC status, their latency, and rate-limit refusals, on the node's "Resolver" meter
/// (Prometheus: <c>resolver_requests_total{method,code}</c>, <c>resolver_request_duration_seconds{method}</c>,
/// <c>resolver_rate_limited_total</c>). Every transport counts: gRPC, JSON transcoding and named HTTP endpoints.
/// </summary>
internal sealed class RequestMetrics : IDisposable
{
    // The gRPC status names of the spec (doc/statuscodes.md), by code.
    private static readonly string[] CodeNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _rateLimited;

    public RequestMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(CacheMetrics.MeterName);
        _requests = _meter.CreateCounter<long>("resolver.requests", unit: "{request}",
            description: "calls by method (e.g. resolver.v1.Resolution/Resolve, handles.get) and gRPC status name (code), whatever the transport");
        _duration = _meter.CreateHistogram("resolver.request.duration", unit: "s",
            description: "time from the request's arrival to its last byte, by method (a stream: its whole life)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CacheMetrics.LatencyBuckets });
        _rateLimited = _meter.CreateCounter<long>("resolver.rate_limited", unit: "{request}", description: "calls refused by the per-caller rate limit (--rate-limit)");
    }

    /// <summary>Counts one call refused by the rate limiter (it is also counted under RESOURCE_EXHAUSTED).</summary>
    public void RateLimited() => _rateLimited.Add(1);

    /// <summary>Counts one finished call.</summary>
    public void Finished(string method, string code, long startTimestamp)
    {
        var methodTag = new KeyValuePair<string, object?>("method", method);
        _requests.Add(1, methodTag, new KeyValuePair<string, object?>("code", code));
        _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, methodTag);
    }

    /// <summary>The gRPC status name of <paramref name="code"/> (e.g. NOT_FOUND), as the <c>code</c> label spells it.</summary>
    public static string CodeName(int code) => code >= 0 && code < CodeNames.Length ? CodeNames[code] : "UNKNOWN";

    private static readonly object StatusKey = new();

    /// <summary>Records the gRPC status an HTTP answer stands for, for a transport whose HTTP status maps several statuses to one.</summary>
    public static void SetStatus(HttpContext context, StatusCode code) => context.Items[StatusKey] = code;

    /// <summary>The status name a finished call ended with: one set by <see cref="SetStatus"/>, grpc-status (trailers, or headers for a trailers-only answer), else its HTTP status.</summary>
    public static string CodeOf(HttpContext context)
    {
        if (context.Items.TryGetValue(StatusKey, out var set) && set is StatusCode known && (int)known < CodeNames.Length)
        {
            return CodeNames[(int)known];
        }

        var response = context.Response;
        var status = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"] is { Count: > 0 } trailer ? trailer.ToString()
            : response.Headers["grpc-status"].ToString();
        if (int.TryParse(status, out var code) && code >= 0 && code < CodeNames.Length)
        {
            return CodeNames[code];
        }

        // HTTP answers (REST, JSON transcoding) as the status the gRPC HTTP mapping gives them (google.rpc.Code).
        return response.StatusCode switch
        {
            < 400 => "OK",
            400 => "INVALID_ARGUMENT",
            401 => "UNAUTHENTICATED",
            403 => "PERMISSION_DENIED",
            404 => "NOT_FOUND",
            409 => "ALREADY_EXISTS",
            412 => "FAILED_PRECONDITION",
            413 or 429 => "RESOURCE_EXHAUSTED",
            499 => "CANCELLED",
            501 => "UNIMPLEMENTED",
            503 => "UNAVAILABLE",
            504 => "DEADLINE_EXCEEDED",
            _ => "INTERNAL",
        };
    }

    /// <summary>The method label of the endpoint routing matched: the gRPC method, or the HTTP endpoint's name; null: not counted.</summary>
    public static string? MethodOf(HttpContext context) =>
        GrpcMethods.Routed(context) is { } method ? Labels.GetOrAdd(method.FullName, static (_, m) => $"{m.ServiceName}/{m.Name}", method)
        : context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;

    // One label per method path, built once rather than on every call.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Labels = new(StringComparer.Ordinal);

    public void Dispose() => _meter.Dispose();
}
