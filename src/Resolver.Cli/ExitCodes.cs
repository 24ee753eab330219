using Grpc.Core;

namespace Resolver.Cli;

/// <summary>The documented exit codes (SPEC §9); scripts depend on them.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int InvalidInput = 1;
    public const int NotFound = 2;
    public const int Unavailable = 3;
    public const int Conflict = 4;
    public const int Denied = 5;

    /// <summary>The exit code for a gRPC status.</summary>
    public static int For(StatusCode code) => code switch
    {
        StatusCode.OK => Ok,
        StatusCode.InvalidArgument or StatusCode.OutOfRange => InvalidInput,
        StatusCode.NotFound => NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => Conflict,
        StatusCode.Unauthenticated or StatusCode.PermissionDenied => Denied,
        _ => Unavailable,
    };

    /// <summary>The status name as gRPC writes it, e.g. NOT_FOUND.</summary>
    public static string StatusName(StatusCode code) =>
        string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) && char.IsLower(code.ToString()[i - 1]) ? "_" + c : c.ToString())).ToUpperInvariant();
}
