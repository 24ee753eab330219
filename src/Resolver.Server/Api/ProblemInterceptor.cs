using Grpc.Core;
using Grpc.Core.Interceptors;
using Resolver.Server.Calls;

namespace Resolver.Server.Api;

/// <summary>
/// The error edge of every gRPC call (and so of its JSON transcoding): what a method throws is classified once
/// (<see cref="ProblemClassifier"/>) and answered as its status code, message and Problem trailer.
/// </summary>
internal sealed class ProblemInterceptor(ProblemClassifier problems) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception exception) when (Translate(exception, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception exception) when (Translate(exception, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception exception) when (Translate(exception, context) is { } translated)
        {
            throw translated;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception exception) when (Translate(exception, context) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The RpcException to answer with, or null to let the exception through (it already is one).</summary>
    private RpcException? Translate(Exception exception, ServerCallContext context) => exception switch
    {
        RpcException => null,
        _ => ProblemMapping.ToRpcException(problems.Classify(exception, context.Method, UnaryCallTimeouts.TimedOut(context), context.CancellationToken.IsCancellationRequested)),
    };
}
