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
    public const string ValueExistsReason = Reasons.ValueExists, InvalidRequestReason = "invalid-request", InvalidPathReason = "invalid-handle-path",
        RateLimitedReason = "rate-limited", DeadlineExceededReason = "deadline-exceeded", InvalidFilterReason = "invalid-filter";

    // Reasons that are about a value (Handle's "invalid value"), not about the handle's name.
    private static readonly HashSet<string> ValueReasons =
        [Reasons.InvalidValue, Reasons.TooManyValues, Reasons.ValueTooLarge, Reasons.RecordTooLarge, "reserved-type"];

    // Reasons that are about the request itself (a query parameter, the body), not about the handle or a value.
    private static readonly HashSet<string> RequestReasons = [InvalidFilterReason, InvalidRequestReason, HandleQuery.InvalidParameterReason];

    /// <summary>
    /// The reason of <c>?publicOnly=false</c> without credentials: 403 with code 402, as CNRI's Handle.Net 9.0 answers it
    /// (issue 25), before the handle is looked at.
    /// </summary>
    public const string PrivateNeedsCredentialsReason = "private-values-need-credentials";

    /// <summary>
    /// The Handle code and HTTP status for <paramref name="problem"/>: writes, credentials and the request itself have
    /// codes of their own here; what a resolution answers has the code the Handle protocol wire gives it
    /// (<see cref="HandleWire.HandleOutcomes.CodeOf"/>, the one mapping), with the HTTP status CNRI's server pairs with it.
    /// </summary>
    public static (int Code, int Status) For(Problem problem) => problem.Kind switch
    {
        ErrorKind.InvalidArgument when ValueReasons.Contains(problem.Reason) => (InvalidValue, StatusCodes.Status400BadRequest),
        ErrorKind.InvalidArgument when RequestReasons.Contains(problem.Reason) => (ProtocolError, StatusCodes.Status400BadRequest),
        ErrorKind.NotFound when problem.Reason == Reasons.ValueNotFound => (ValuesNotFound, StatusCodes.Status400BadRequest),
        ErrorKind.AlreadyExists when problem.Reason == ValueExistsReason => (ValueAlreadyExists, StatusCodes.Status409Conflict),
        ErrorKind.AlreadyExists => (HandleAlreadyExists, StatusCodes.Status409Conflict),
        ErrorKind.Unauthenticated => (AuthenticationNeeded, StatusCodes.Status401Unauthorized),
        ErrorKind.PermissionDenied when problem.Reason == PrivateNeedsCredentialsReason => (AuthenticationNeeded, StatusCodes.Status403Forbidden),
        ErrorKind.PermissionDenied => (NotAuthorized, StatusCodes.Status403Forbidden),
        ErrorKind.Aborted when problem.Reason is Reasons.VersionMismatch or HandlePreconditions.PreconditionFailedReason => (Error, StatusCodes.Status412PreconditionFailed),
        ErrorKind.Aborted => (Error, StatusCodes.Status409Conflict),
        ErrorKind.ResourceExhausted when problem.Reason == Calls.ProblemClassifier.RequestTooLarge => (ProtocolError, StatusCodes.Status413PayloadTooLarge),
        ErrorKind.ResourceExhausted => (ServerTooBusy, StatusCodes.Status429TooManyRequests),
        ErrorKind.Unavailable => (Error, StatusCodes.Status503ServiceUnavailable),
        ErrorKind.DeadlineExceeded => (Error, StatusCodes.Status504GatewayTimeout),
        _ => WithStatus(HandleWire.HandleOutcomes.CodeOf(problem)),
    };

    // CNRI's pairing of a resolution's code with an HTTP status: 100 is 404; 301 (a prefix this node neither homes nor
    // reaches, or a name without '/'), 102, 4 and 6 are 400; an operation the node does not perform is 501.
    private static (int Code, int Status) WithStatus(int code) => code switch
    {
        HandleNotFound => (code, StatusCodes.Status404NotFound),
        ServerNotResponsible or InvalidHandle or ProtocolError or Handle.ResponseCode.RecursionCountTooHigh => (code, StatusCodes.Status400BadRequest),
        Handle.ResponseCode.OperationNotSupported => (code, StatusCodes.Status501NotImplemented),
        _ => (Error, StatusCodes.Status500InternalServerError),
    };
}
