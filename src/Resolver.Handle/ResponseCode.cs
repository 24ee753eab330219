using Resolver.Core.Errors;

namespace Resolver.Handle;

/// <summary>Response codes (RFC 3652 §2.2.2.2; the numbers CNRI's <c>AbstractMessage</c> uses). 0 marks a request.</summary>
public static class ResponseCode
{
    /// <summary>The code of a request.</summary>
    public const int Request = 0;

    /// <summary>The operation succeeded.</summary>
    public const int Success = 1;

    /// <summary>An error not covered by another code; CNRI's client then tries the server's next interface (UDP → TCP → HTTP).</summary>
    public const int Error = 2;

    /// <summary>The server is too busy to answer now: try later.</summary>
    public const int ServerTooBusy = 3;

    /// <summary>The message could not be read (RFC 3652: "corrupted or unrecognizable message").</summary>
    public const int ProtocolError = 4;

    /// <summary>The server does not perform the operation.</summary>
    public const int OperationNotSupported = 5;

    /// <summary>The request passed too many servers.</summary>
    public const int RecursionCountTooHigh = 6;

    /// <summary>The handle is not registered.</summary>
    public const int HandleNotFound = 100;

    /// <summary>The handle is registered already.</summary>
    public const int HandleAlreadyExists = 101;

    /// <summary>The handle is not a valid handle.</summary>
    public const int InvalidHandle = 102;

    /// <summary>The handle has no value of the types or indexes asked for.</summary>
    public const int ValuesNotFound = 200;

    /// <summary>The server is not responsible for the handle's prefix.</summary>
    public const int ServerNotResponsible = 301;

    /// <summary>The handle is served elsewhere: the body names the service (HS_SITE or HS_SERV values).</summary>
    public const int ServiceReferral = 302;

    /// <summary>The prefix is served elsewhere: the body names the service (protocol 2.5 and later).</summary>
    public const int PrefixReferral = 303;

    /// <summary>Authentication is needed: the body is a challenge.</summary>
    public const int AuthenticationNeeded = 402;

    /// <summary>
    /// The gRPC status a response code is counted under, as every wire's calls are (0, OK, for <see cref="Success"/>):
    /// the node's request metrics and <c>resolver bench</c> both name Handle answers by it, so they read alike.
    /// </summary>
    public static int StatusOf(int code) => code switch
    {
        Success => 0,
        // 301 is what the gRPC wire answers NOT_FOUND (prefix-not-homed) for: the same event, named alike.
        HandleNotFound or ValuesNotFound or ServerNotResponsible => (int)ErrorKind.NotFound,
        InvalidHandle or ProtocolError => (int)ErrorKind.InvalidArgument,
        RecursionCountTooHigh => (int)ErrorKind.FailedPrecondition,
        AuthenticationNeeded or 400 or 401 => (int)ErrorKind.PermissionDenied,
        ServerTooBusy => (int)ErrorKind.ResourceExhausted,
        OperationNotSupported => (int)ErrorKind.Unimplemented,
        _ => (int)ErrorKind.Unavailable,
    };

    /// <summary>The symbolic name CNRI's tools print for a code, e.g. <c>HANDLE_NOT_FOUND</c>.</summary>
    public static string Name(int code) => code switch
    {
        Request => "REQUEST",
        Success => "SUCCESS",
        Error => "ERROR",
        ServerTooBusy => "SERVER_TOO_BUSY",
        ProtocolError => "PROTOCOL_ERROR",
        OperationNotSupported => "OPERATION_NOT_SUPPORTED",
        RecursionCountTooHigh => "RECURSION_COUNT_TOO_HIGH",
        HandleNotFound => "HANDLE_NOT_FOUND",
        HandleAlreadyExists => "HANDLE_ALREADY_EXISTS",
        InvalidHandle => "INVALID_HANDLE",
        ValuesNotFound => "VALUES_NOT_FOUND",
        ServerNotResponsible => "SERVER_NOT_RESPONSIBLE",
        ServiceReferral => "SERVICE_REFERRAL",
        PrefixReferral => "PREFIX_REFERRAL",
        AuthenticationNeeded => "AUTHENTICATION_NEEDED",
        400 => "INVALID_ADMIN",
        401 => "INSUFFICIENT_PERMISSIONS",
        _ => $"CODE_{code}",
    };
}
