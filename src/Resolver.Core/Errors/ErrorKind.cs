namespace Resolver.Core.Errors;

/// <summary>The class of a failure; the numbers are the gRPC status codes the server answers with.</summary>
public enum ErrorKind
{
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unavailable = 14,
    Unauthenticated = 16,
}
