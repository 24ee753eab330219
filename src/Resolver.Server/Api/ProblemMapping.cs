using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Resolver.Core.Errors;

namespace Resolver.Server.Api;

/// <summary>
/// The one translation of a <see cref="Problem"/> to the wire: a gRPC status with the person-readable message and
/// the machine-readable Problem in the <c>resolver-problem-bin</c> trailer. Inside a call grpc-dotnet writes and
/// percent-encodes both; only middleware that answers before grpc-dotnet runs (rate limiting, malformed frames)
/// writes a trailers-only response, through <see cref="WriteGrpcStatus"/>.
/// </summary>
internal static class ProblemMapping
{
    /// <summary>The exception that makes grpc-dotnet answer with <paramref name="problem"/>.</summary>
    public static RpcException ToRpcException(Problem problem) =>
        new(new Status((StatusCode)(int)problem.Kind, problem.Message), new Metadata { { ProblemMetadata.TrailerKey, ProtoMapper.ToProto(problem).ToByteArray() } });

    /// <summary>
    /// Answers a gRPC request from middleware, before grpc-dotnet runs, with a trailers-only response: HTTP 200,
    /// <c>grpc-status</c>, a percent-encoded <c>grpc-message</c> (gRPC over HTTP/2 spec), the Problem trailer, and
    /// <c>grpc-retry-pushback-ms</c> for a refusal that passes.
    /// </summary>
    public static void WriteGrpcStatus(HttpResponse response, Problem problem)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)problem.Kind).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(problem.Message);
        response.Headers[ProblemMetadata.TrailerKey] = Convert.ToBase64String(ProtoMapper.ToProto(problem).ToByteArray());
        if (problem.RetryAfter is { } wait)
        {
            response.Headers["grpc-retry-pushback-ms"] = ((long)Math.Ceiling(wait.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Answers an HTTP request of the JSON transcoding from middleware: the HTTP status of the gRPC code and google.rpc.Status as JSON.</summary>
    public static Task WriteJsonStatusAsync(HttpResponse response, Problem problem, CancellationToken cancellationToken)
    {
        response.StatusCode = HttpStatusOf(problem.Kind);
        return response.WriteAsJsonAsync(new TranscodedStatus((int)problem.Kind, problem.Message, []), cancellationToken);
    }

    /// <summary>The HTTP status of a gRPC status code, as JSON transcoding maps it (google.rpc.Code).</summary>
    public static int HttpStatusOf(ErrorKind kind) => (int)kind switch
    {
        0 => StatusCodes.Status200OK,
        1 => 499,
        3 or 9 or 11 => StatusCodes.Status400BadRequest,
        4 => StatusCodes.Status504GatewayTimeout,
        5 => StatusCodes.Status404NotFound,
        6 or 10 => StatusCodes.Status409Conflict,
        7 => StatusCodes.Status403Forbidden,
        8 => StatusCodes.Status429TooManyRequests,
        12 => StatusCodes.Status501NotImplemented,
        14 => StatusCodes.Status503ServiceUnavailable,
        16 => StatusCodes.Status401Unauthorized,
        _ => StatusCodes.Status500InternalServerError,
    };

    // The JSON shape of a status from JSON transcoding (google.rpc.Status: code, message, details).
    private sealed record TranscodedStatus(int Code, string Message, IReadOnlyList<object> Details);

    // grpc-message is percent-encoded: every byte outside printable ASCII, and '%' itself.
    private static string PercentEncode(string message)
    {
        var builder = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            builder.Append(b is >= 0x20 and <= 0x7E and not (byte)'%' ? ((char)b).ToString() : $"%{b:X2}");
        }

        return builder.ToString();
    }
}
