using System.Diagnostics.Metrics;
using Resolver.Core.Errors;

namespace Resolver.Core.Resolution;

/// <summary>
/// Identifiers answered, by outcome, whatever the transport (unary, batch, stream, REST): the counter
/// <c>resolver.resolutions</c> (Prometheus <c>resolver_resolutions_total{result}</c>) on the node's "Resolver" meter.
/// </summary>
public sealed class ResolutionMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _resolutions;

    public ResolutionMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create("Resolver");
        _resolutions = _meter.CreateCounter<long>("resolver.resolutions", unit: "{identifier}",
            description: "identifiers answered, by result: found, stale (found, served past its freshness while the source was down), denied (found, but every value withheld from this caller), referral, not_found, invalid, unavailable, other");
    }

    /// <summary>Counts each outcome once, by its <see cref="Result"/>.</summary>
    /// <param name="outcomes">The answers of one request.</param>
    /// <param name="withheld">Per outcome, true when the record had values matching the query but the caller may see none of them; null: none.</param>
    public void Record(ResolveOutcome[] outcomes, bool[]? withheld)
    {
        for (var i = 0; i < outcomes.Length; i++)
        {
            _resolutions.Add(1, new KeyValuePair<string, object?>("result", Result(outcomes[i], withheld is not null && withheld[i])));
        }
    }

    /// <summary>The <c>result</c> label of one outcome.</summary>
    /// <param name="outcome">The answer.</param>
    /// <param name="withheld">True when every value matching the query was withheld from the caller (SPEC §8).</param>
    public static string Result(ResolveOutcome outcome, bool withheld) => outcome switch
    {
        { Referral: not null } => "referral",
        { Problem.Kind: ErrorKind.NotFound } => "not_found",
        { Problem.Kind: ErrorKind.InvalidArgument } => "invalid",
        { Problem.Kind: ErrorKind.Unavailable or ErrorKind.DeadlineExceeded } => "unavailable",
        { Problem.Kind: ErrorKind.PermissionDenied or ErrorKind.Unauthenticated } => "denied",
        { Problem: not null } => "other",
        { Stale: true } => "stale",
        _ when withheld => "denied",
        _ => "found",
    };

    public void Dispose() => _meter.Dispose();
}
