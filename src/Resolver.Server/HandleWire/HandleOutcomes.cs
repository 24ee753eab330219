using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Handle;

namespace Resolver.Server.HandleWire;

/// <summary>
/// The one mapping from a resolution's <see cref="Problem"/> to a Handle response code (RFC 3652 §2.2.2.2), for both
/// wires that speak Handle's codes: the Handle protocol listener, and the Handle REST API, which takes these codes for
/// what a resolution answers and adds its own only for writes and credentials (<see cref="Rest.HandleCodes"/>).
/// docs/handle-protocol.md and docs/rest.md have the tables. Codes are chosen among those CNRI's client and the national
/// SDKs decode (1, 2, 3, 4, 5, 6, 100, 102, 200, 301); 2 makes CNRI's client try the server's next interface.
/// </summary>
internal static class HandleOutcomes
{
    /// <summary>The response code for <paramref name="problem"/>.</summary>
    public static int CodeOf(Problem problem) => problem.Kind switch
    {
        ErrorKind.NotFound when problem.Reason == Reasons.PrefixNotHomed => ResponseCode.ServerNotResponsible,
        ErrorKind.NotFound when problem.Reason == Reasons.ValueNotFound => ResponseCode.ValuesNotFound,
        ErrorKind.NotFound => ResponseCode.HandleNotFound,
        ErrorKind.InvalidArgument when problem.Reason == "invalid-filter" || problem.Reason == Reasons.BatchTooLarge => ResponseCode.ProtocolError,
        // A name without '/' is a prefix handle (0.NA/NAME) to Handle.Net, which a server that does not serve it answers
        // with 301 (CNRI 9.0's REST API does, issue 25); the Handle listener itself reads such a name as 0.NA/NAME.
        ErrorKind.InvalidArgument when problem.Reason == IdentifierRules.MissingSlash => ResponseCode.ServerNotResponsible,
        ErrorKind.InvalidArgument => ResponseCode.InvalidHandle,
        ErrorKind.FailedPrecondition when problem.Reason == Reasons.DelegationChainTooLong => ResponseCode.RecursionCountTooHigh,
        ErrorKind.FailedPrecondition => ResponseCode.ServerNotResponsible,
        ErrorKind.ResourceExhausted when problem.Reason == Calls.CallPipeline.RateLimited => ResponseCode.ServerTooBusy,
        ErrorKind.ResourceExhausted => ResponseCode.ProtocolError,
        ErrorKind.Unimplemented => ResponseCode.OperationNotSupported,
        _ => ResponseCode.Error, // unavailable, deadline exceeded, internal: CNRI's client tries the next interface
    };

    /// <summary>The status metrics count a response code under, named as every other wire's (<c>OK</c>, <c>NOT_FOUND</c>, …).</summary>
    public static string MetricsCodeOf(int code) => Telemetry.RequestMetrics.CodeName(ResponseCode.StatusOf(code));
}
