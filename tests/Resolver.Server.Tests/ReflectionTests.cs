using Grpc.Reflection.V1Alpha;

namespace Resolver.Server.Tests;

/// <summary>
/// gRPC server reflection lists the resolver.v1 services and describes them: it reads each service's descriptor from the
/// binding the service class names (<c>[BindServiceMethod]</c>), not from the generated base class.
/// </summary>
public sealed class ReflectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reflection_ListsAndDescribesTheResolverServices()
    {
        await using var server = await TestServer.StartAsync();
        using var call = new ServerReflection.ServerReflectionClient(server.Channel).ServerReflectionInfo(cancellationToken: Ct);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var listed = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "resolver.v1.Resolution.Resolve" }, Ct);
        Assert.True(await call.ResponseStream.MoveNext(Ct));
        var file = Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto[0]);
        await call.RequestStream.CompleteAsync();

        Assert.Contains("resolver.v1.Resolution", listed);
        Assert.Contains("resolver.v1.Registry", listed);
        Assert.Contains("resolver.v1.Admin", listed);
        Assert.Contains(file.Service, s => s.Name == "Resolution" && s.Method.Any(m => m.Name == "BatchResolve"));
    }
}
