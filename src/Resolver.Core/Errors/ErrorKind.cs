namespace Resolver.Core.Errors;

/// <summary>The class of a failure; the numbers are the gRPC status codes the server answers with.</summary>
public enum ErrorKind
{
    /// <summary>The caller went away (it cancelled, its deadline passed, its connection failed): nobody reads the answer.</summary>
    Cancelled = 1,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,

    /// <summary>A bug: the answer names an error id that is in the log, never the exception's text.</summary>
    Internal = 13,
    Unavailable = 14,
    Unauthenticated = 16,
}
