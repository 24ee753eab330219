using Google.Protobuf;
using Grpc.Core;
using Resolver.Core.Errors;

namespace Resolver.Server.Api;

/// <summary>
/// The one translation of a <see cref="Problem"/> to the wire: a gRPC status with the person-readable message and
/// the machine-readable Problem in the <c>resolver-problem-bin</c> trailer. grpc-dotnet writes and percent-encodes
/// both; nothing here writes trailers by hand.
/// </summary>
internal static class ProblemMapping
{
    /// <summary>The exception that makes grpc-dotnet answer with <paramref name="problem"/>.</summary>
    public static RpcException ToRpcException(Problem problem) =>
        new(new Status((StatusCode)(int)problem.Kind, problem.Message), new Metadata { { ProblemMetadata.TrailerKey, ProtoMapper.ToProto(problem).ToByteArray() } });
}
