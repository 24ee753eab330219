using Resolver.Core.Errors;

namespace Resolver.Server.Rest;

/// <summary>
/// Handle protocol response codes (RFC 3652 §2.2.1 and Handle.Net's REST API) and the one mapping from a
/// <see cref="Problem"/> to a code and an HTTP status, for every REST route (docs/rest.md has the table).
/// </summary>
internal static class HandleCodes
{
    public const int Success = 1;
    public const int Error = 2;
    public const int ServerTooBusy = 3;
    public const int ProtocolError = 4;
    public const int HandleNotFound = 100;
    public const int HandleAlreadyExists = 101;
    public const int InvalidHandle = 102;
    public const int ValuesNotFound = 200;
    public const int ValueAlreadyExists = 201;
    public const int InvalidValue = 202;
    public const int ServerNotResponsible = 301;
    public const int ServiceReferral = 302;
    public const int NotAuthorized = 400;
    public const int AuthenticationNeeded = 402;

    /// <summary>Reasons only the REST routes give (docs/rest.md has them all).</summary>
    public const string ValueExistsReason = "value-exists", InvalidRequestReason = "invalid-request", InvalidPathReason = "invalid-handle-path",
        RateLimitedReason = "rate-limited", DeadlineExceededReason = "deadline-exceeded", InvalidFilterReason = "invalid-filter";

    // Reasons that are about a value (Handle's "invalid value"), not about the handle's name.
    private static readonly HashSet<string> ValueReasons =
        [Reasons.InvalidValue, Reasons.TooManyValues, Reasons.ValueTooLarge, Reasons.RecordTooLarge, "reserved-type"];

    // Reasons that are about the request itself (a query parameter, the body), not about the handle or a value.
    private static readonly HashSet<string> RequestReasons = [InvalidFilterReason, InvalidRequestReason, HandleQuery.InvalidParameterReason];

    /// <summary>The Handle code and HTTP status for <paramref name="problem"/>.</summary>
    public static (int Code, int Status) For(Problem problem) => problem.Kind switch
    {
        ErrorKind.InvalidArgument when ValueReasons.Contains(problem.Reason) => (InvalidValue, StatusCodes.Status400BadRequest),
        ErrorKind.InvalidArgument when RequestReasons.Contains(problem.Reason) => (ProtocolError, StatusCodes.Status400BadRequest),
        ErrorKind.InvalidArgument => (InvalidHandle, StatusCodes.Status400BadRequest),
        ErrorKind.NotFound when problem.Reason == Reasons.ValueNotFound => (ValuesNotFound, StatusCodes.Status400BadRequest),
        ErrorKind.NotFound => (HandleNotFound, StatusCodes.Status404NotFound),
        ErrorKind.AlreadyExists when problem.Reason == ValueExistsReason => (ValueAlreadyExists, StatusCodes.Status409Conflict),
        ErrorKind.AlreadyExists => (HandleAlreadyExists, StatusCodes.Status409Conflict),
        ErrorKind.FailedPrecondition => (ServerNotResponsible, StatusCodes.Status400BadRequest),
        ErrorKind.Unauthenticated => (AuthenticationNeeded, StatusCodes.Status401Unauthorized),
        ErrorKind.PermissionDenied => (NotAuthorized, StatusCodes.Status403Forbidden),
        ErrorKind.Aborted when problem.Reason is Reasons.VersionMismatch or HandlePreconditions.PreconditionFailedReason => (Error, StatusCodes.Status412PreconditionFailed),
        ErrorKind.Aborted => (Error, StatusCodes.Status409Conflict),
        ErrorKind.ResourceExhausted when problem.Reason == Calls.ProblemClassifier.RequestTooLarge => (ProtocolError, StatusCodes.Status413PayloadTooLarge),
        ErrorKind.ResourceExhausted => (ServerTooBusy, StatusCodes.Status429TooManyRequests),
        ErrorKind.Unavailable => (Error, StatusCodes.Status503ServiceUnavailable),
        ErrorKind.DeadlineExceeded => (Error, StatusCodes.Status504GatewayTimeout),
        _ => (Error, StatusCodes.Status500InternalServerError),
    };
}
