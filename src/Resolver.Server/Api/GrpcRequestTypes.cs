using System.Collections.Frozen;
using Google.Protobuf.Reflection;

namespace Resolver.Server.Api;

/// <summary>The request message type of every resolver.v1 method, by its canonical path (e.g. <c>/resolver.v1.Resolution/Resolve</c>), from the compiled contract.</summary>
internal static class GrpcRequestTypes
{
    private static readonly FrozenDictionary<string, MethodDescriptor> Methods =
        new[] { Protocol.V1.ResolutionReflection.Descriptor, Protocol.V1.RegistryReflection.Descriptor, Protocol.V1.AdminReflection.Descriptor }
            .SelectMany(file => file.Services)
            .SelectMany(service => service.Methods)
            .ToFrozenDictionary(method => $"/{method.Service.FullName}/{method.Name}", StringComparer.Ordinal);

    /// <summary>The method's request type; false for a path that is not a resolver.v1 method.</summary>
    public static bool TryGet(string methodPath, out MessageDescriptor requestType, out bool unary)
    {
        if (Methods.TryGetValue(methodPath, out var method))
        {
            requestType = method.InputType;
            unary = !method.IsClientStreaming && !method.IsServerStreaming;
            return true;
        }

        requestType = null!;
        unary = false;
        return false;
    }
}
