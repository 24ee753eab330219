using System.Text.Json;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Server.Configuration;

namespace Resolver.Server.Rest;

/// <summary>
/// The error edge of the Handle REST routes, like <see cref="Api.ProblemInterceptor"/> for gRPC: a
/// <see cref="ResolverException"/> becomes its Handle code, HTTP status and message; anything unexpected is logged once
/// with an id and answered code 2 / HTTP 500 with that id, never with the exception's text.
/// </summary>
internal static class HandleAnswers
{
    /// <summary>Runs <paramref name="handler"/> and answers its failures in Handle's shape.</summary>
    public static async Task RunAsync(HttpContext context, string operation, Func<string, Task> handler)
    {
        if (!HandlePath.TryGet(context, out var handle, out var pathProblem))
        {
            await WriteProblemAsync(context, handle, pathProblem!).ConfigureAwait(false);
            return;
        }

        try
        {
            await handler(handle).ConfigureAwait(false);
        }
        catch (ResolverException exception)
        {
            var logger = Logger(context);
            if (exception.InnerException is { } cause)
            {
                Log.StoreUnavailable(logger, operation, exception.Problem.Reason, cause);
            }
            else
            {
                Log.Refused(logger, operation, exception.Problem.Reason);
            }

            await WriteProblemAsync(context, handle, exception.Problem).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true)
        {
            var seconds = context.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value.MaxRequestSeconds;
            await WriteProblemAsync(context, handle, new Problem(ErrorKind.DeadlineExceeded, HandleCodes.DeadlineExceededReason, $"the request took longer than this server allows ({seconds} s, --max-request-seconds); retry later")).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer.
        }
        catch (BadHttpRequestException exception)
        {
            // Kestrel's own refusals while reading the body (too large, cut short): the status it chose, Handle's code 4.
            await WriteAsync(context, exception.StatusCode, new HandleResponse(HandleCodes.ProtocolError, handle, $"the request body could not be read: {exception.Message}")).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the edge: anything unexpected is logged with an id and answered without its text
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var errorId = Guid.NewGuid().ToString("N")[..12];
            Log.UnexpectedFailure(Logger(context), operation, errorId, exception);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, new HandleResponse(HandleCodes.Error, handle, $"internal error (error id {errorId}); the server log has the details")).ConfigureAwait(false);
        }
    }

    /// <summary>Answers <paramref name="problem"/> with its Handle code and HTTP status.</summary>
    public static Task WriteProblemAsync(HttpContext context, string handle, Problem problem)
    {
        // The metrics count the call by its gRPC status, which the HTTP status alone cannot tell (412 and 409 are several).
        Telemetry.RequestMetrics.SetStatus(context, (Grpc.Core.StatusCode)(int)problem.Kind);
        var (code, status) = HandleCodes.For(problem);
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return WriteAsync(context, status, new HandleResponse(code, handle, problem.Message));
    }

    /// <summary>Writes <paramref name="answer"/> as Handle JSON with <paramref name="status"/> (indented with <c>?pretty</c>).</summary>
    public static async Task WriteAsync(HttpContext context, int status, HandleResponse answer)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        var json = HandleQuery.Flag(context.Request.Query, "pretty") ? HandleJsonContext.Pretty : HandleJsonContext.Compact;
        await JsonSerializer.SerializeAsync(context.Response.Body, answer, json.HandleResponse, context.RequestAborted).ConfigureAwait(false);
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Resolver.Server.Rest.HandleApi");
}
