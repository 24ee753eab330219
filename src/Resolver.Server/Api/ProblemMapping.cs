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
    /// <c>grpc-status</c> and a percent-encoded <c>grpc-message</c> (gRPC over HTTP/2 spec).
    /// </summary>
    public static void WriteGrpcStatus(HttpResponse response, StatusCode code, string message)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(message);
    }

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
