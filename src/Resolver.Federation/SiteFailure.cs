namespace Resolver.Federation;

/// <summary>
/// Why a site endpoint gave no answers, in this node's own fixed words (<see cref="Words"/>): never the text of a .NET
/// exception, which names internal hosts and ports (docs/federation.md, "Trust between nodes").
/// </summary>
/// <param name="Kind">What happened, which decides whether the next endpoint of the site is tried.</param>
/// <param name="Words">What to tell the caller, e.g. "connection failed"; for <see cref="SiteFailureKind.Refused"/>, the site's own message, escaped and cut.</param>
/// <param name="Code">For <see cref="SiteFailureKind.Refused"/>: the gRPC status code number the site refused with; otherwise 14 (UNAVAILABLE).</param>
public sealed record SiteFailure(SiteFailureKind Kind, string Words, int Code = 14)
{
    /// <summary>The endpoint could not be reached or answered nothing usable: the next endpoint is tried.</summary>
    public static SiteFailure Unreachable(string words) => new(SiteFailureKind.Unreachable, words);

    /// <summary>No answer before the deadline of the ask.</summary>
    public static SiteFailure TimedOut { get; } = new(SiteFailureKind.TimedOut, "no answer in time", 4);
}

/// <summary>The kinds of <see cref="SiteFailure"/>.</summary>
public enum SiteFailureKind
{
    /// <summary>Refused, reset, unresolvable, not TLS, or an answer the protocol cannot read: the site's other endpoints are tried.</summary>
    Unreachable,

    /// <summary>No answer before the deadline: another endpoint is tried unless the caller's own deadline was the one that ran out.</summary>
    TimedOut,

    /// <summary>The site answered the call itself with a status (e.g. it refused this node's credential): no other endpoint is tried.</summary>
    Refused,
}
