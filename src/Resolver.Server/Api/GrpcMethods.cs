using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace Resolver.Server.Api;

/// <summary>Which gRPC method routing matched for a request, whatever the spelling of its path.</summary>
internal static class GrpcMethods
{
    /// <summary>The gRPC method routing matched for <paramref name="context"/>, or null (health, probes, an unknown path).</summary>
    public static IMethod? Routed(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
}
