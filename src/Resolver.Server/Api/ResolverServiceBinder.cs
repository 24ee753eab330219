using Google.Protobuf;
using Grpc.Core;

namespace Resolver.Server.Api;

/// <summary>
/// Binds a generated resolver.v1 service with the node's own marshallers. Resolution answers copy each record's encoding
/// (<see cref="AnswerMarshallers"/>). A malformed request message (garbage bytes, invalid UTF-8 in a string field) is
/// INVALID_ARGUMENT naming the expected message type, on unary and streaming calls alike: grpc-dotnet deserializes a
/// unary request before any interceptor runs, and the generated marshaller lets <see cref="InvalidProtocolBufferException"/>
/// through, which grpc-dotnet answers UNKNOWN "Exception was thrown by handler."; an <see cref="RpcException"/> thrown
/// while deserializing becomes the call's status instead. The message is parsed once, where grpc-dotnet parses it anyway:
/// no middleware looks at the body first.
/// </summary>
/// <remarks>
/// Each service class names its binding with <c>[BindServiceMethod]</c>, which grpc-dotnet, JSON transcoding and
/// reflection look for before the generated base class's; a binding is the generated <c>BindService</c> through this binder
/// (which names each request's message type from the service's descriptor), and the generated <c>Descriptor</c>.
/// </remarks>
internal sealed class ResolverServiceBinder(ServiceBinderBase inner, Google.Protobuf.Reflection.ServiceDescriptor service) : ServiceBinderBase
{
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Bound(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Bound(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Bound(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        inner.AddMethod(Bound(method), handler);

    private Method<TRequest, TResponse> Bound<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var expected = service.FindMethodByName(method.Name)?.InputType.FullName ?? typeof(TRequest).Name;
        var deserialize = method.RequestMarshaller.ContextualDeserializer;
        var requests = Marshallers.Create(method.RequestMarshaller.ContextualSerializer, context =>
        {
            try
            {
                return deserialize(context);
            }
            catch (InvalidProtocolBufferException exception)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"a message on this call is not a valid {expected} message ({exception.Message.TrimEnd('.')}); check the client's protobuf definitions"));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, requests, AnswerMarshallers.For(method.ResponseMarshaller));
    }
}
