using System.Collections.Frozen;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace Resolver.Server.Api;

/// <summary>
/// The resolver.v1 methods: which one routing matched for a request (whatever the spelling of its path), and each
/// method's request message type by its canonical path (e.g. <c>/resolver.v1.Resolution/Resolve</c>), from the contract.
/// </summary>
internal static class GrpcMethods
{
    private static readonly FrozenDictionary<string, MethodDescriptor> Methods =
        new[] { Protocol.V1.ResolutionReflection.Descriptor, Protocol.V1.RegistryReflection.Descriptor, Protocol.V1.AdminReflection.Descriptor }
            .SelectMany(file => file.Services)
            .SelectMany(service => service.Methods)
            .ToFrozenDictionary(method => $"/{method.Service.FullName}/{method.Name}", StringComparer.Ordinal);

    /// <summary>The gRPC method routing matched for <paramref name="context"/>, or null (health, probes, an unknown path).</summary>
    public static IMethod? Routed(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;

    /// <summary>The method's request type; false for a path that is not a resolver.v1 method.</summary>
    public static bool TryGet(string methodPath, out MessageDescriptor requestType)
    {
        requestType = Methods.TryGetValue(methodPath, out var method) ? method.InputType : null!;
        return method is not null;
    }
}
