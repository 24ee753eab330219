using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Server.Configuration;

namespace Resolver.Server.Calls;

/// <summary>
/// The one classification of what went wrong in a call, for every wire: each exception becomes a <see cref="Problem"/>
/// once, and is logged once (a refusal at Debug, a store failure with its cause, anything unexpected as an error with an
/// id the answer names instead of the exception's text). The wires only write the Problem: a gRPC status and trailer
/// (<see cref="Api.ProblemMapping"/>), a Handle code and HTTP status (<see cref="Rest.HandleCodes"/>), or their own.
/// </summary>
internal sealed class ProblemClassifier(ILogger<ProblemClassifier> logger, IOptions<LimitOptions> limits)
{
    /// <summary>The reason ids this classifier gives besides the core's.</summary>
    public const string DeadlineExceeded = "deadline-exceeded", Cancelled = "cancelled", ConnectionFailed = "connection-failed",
        InvalidRequest = "invalid-request", RequestTooLarge = "request-too-large", InternalError = "internal-error";

    /// <summary>What <paramref name="exception"/>, raised while serving <paramref name="method"/>, answers.</summary>
    /// <param name="exception">What the call's handler threw.</param>
    /// <param name="method">The operation, for the log.</param>
    /// <param name="serverTimedOut">The node's own bound (<c>--max-request-seconds</c>) cancelled the call.</param>
    /// <param name="callerLeft">The caller cancelled, its deadline passed, or its connection went away.</param>
    /// <returns>CANCELLED when the caller left (a wire may write nothing then: nobody reads it).</returns>
    public Problem Classify(Exception exception, string method, bool serverTimedOut = false, bool callerLeft = false)
    {
        switch (exception)
        {
            case ResolverException { Problem: var problem } refused:
                if (refused.InnerException is { } cause)
                {
                    Log.StoreUnavailable(logger, method, problem.Reason, cause);
                }
                else
                {
                    Log.Refused(logger, method, problem.Reason);
                }

                return problem;
            case OperationCanceledException when serverTimedOut:
                return new Problem(ErrorKind.DeadlineExceeded, DeadlineExceeded,
                    $"the call took longer than this server allows ({limits.Value.MaxRequestSeconds} s, --max-request-seconds); retry later");
            case OperationCanceledException when callerLeft:
                return new Problem(ErrorKind.Cancelled, Cancelled, "the call was cancelled or its deadline passed");
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return new Problem(ErrorKind.ResourceExhausted, RequestTooLarge, $"the request is larger than this server accepts ({limits.Value.MaxMessageBytes} bytes, --max-message-bytes)");
            case BadHttpRequestException bad:
                // Kestrel's own refusals while reading a body (cut short, malformed): its message names no internals.
                return new Problem(ErrorKind.InvalidArgument, InvalidRequest, $"the request body could not be read: {bad.Message}");
            case IOException when callerLeft:
                // The call's connection failed under it (the client crashed, a load generator stopped): nobody is left to
                // answer, and nothing on this side failed. Stores and sites report their failures as ResolverException.
                return new Problem(ErrorKind.Cancelled, ConnectionFailed, "the call's connection failed");
            default:
                var errorId = Guid.NewGuid().ToString("N")[..12];
                Log.UnexpectedFailure(logger, method, errorId, exception);
                return new Problem(ErrorKind.Internal, InternalError, $"internal error (error id {errorId}); the server log has the details");
        }
    }
}
