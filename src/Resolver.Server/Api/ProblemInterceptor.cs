using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Server.Configuration;

namespace Resolver.Server.Api;

/// <summary>
/// The error edge of every gRPC call: a <see cref="ResolverException"/> becomes its status code, message and
/// Problem trailer; anything unexpected is logged once with an id and answered INTERNAL with that id, never
/// with the exception's text.
/// </summary>
internal sealed class ProblemInterceptor(ILogger<ProblemInterceptor> logger, IOptions<LimitOptions> options) : Interceptor
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

    /// <summary>The RpcException to answer with, or null to let the exception through (it already is one, or the caller went away).</summary>
    private RpcException? Translate(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case RpcException:
                return null;

            case OperationCanceledException when UnaryCallTimeouts.TimedOut(context):
                return new RpcException(new Status(StatusCode.DeadlineExceeded, $"the call took longer than this server allows ({options.Value.MaxRequestSeconds} s, --max-request-seconds); retry later"));
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled or its deadline passed"));
            case IOException when exception is not BadHttpRequestException:
                // The call's connection failed under it (the client crashed, a load generator stopped): nobody is left to
                // answer, and nothing on this side failed. Stores and sites report their failures as ResolverException.
                return new RpcException(new Status(StatusCode.Cancelled, "the call's connection failed"));
            case ResolverException { Problem: var problem } resolverException:
                if (resolverException.InnerException is { } cause)
                {
                    Log.StoreUnavailable(logger, context.Method, problem.Reason, cause);
                }
                else
                {
                    Log.Refused(logger, context.Method, problem.Reason);
                }

                return ProblemMapping.ToRpcException(problem);
            default:
                var errorId = Guid.NewGuid().ToString("N")[..12];
                Log.UnexpectedFailure(logger, context.Method, errorId, exception);
                return new RpcException(new Status(StatusCode.Internal, $"internal error (error id {errorId}); the server log has the details"));
        }
    }
}
