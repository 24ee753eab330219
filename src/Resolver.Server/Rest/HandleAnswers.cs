using System.Text.Json;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Server.Configuration;

namespace Resolver.Server.Rest;

/// <summary>
/// The error edge of the Handle REST routes, like <see cref="Api.ProblemInterceptor"/> for gRPC: what a route throws is
/// classified once (<see cref="Calls.ProblemClassifier"/>) and answered as its Handle code, HTTP status and message.
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
#pragma warning disable CA1031 // the edge: every failure is classified once and answered in Handle's shape, never with its text
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var timedOut = context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;
            var problem = context.RequestServices.GetRequiredService<Calls.ProblemClassifier>().Classify(exception, operation, timedOut, context.RequestAborted.IsCancellationRequested);
            if (problem.Kind != ErrorKind.Cancelled)
            {
                await WriteProblemAsync(context, handle, problem).ConfigureAwait(false); // else: the client went away, nobody to answer
            }
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
            // RFC 9110 §11.6.1: every scheme the route takes; Basic is Handle.Net's (user INDEX:ADMIN-HANDLE, docs/rest.md).
            context.Response.Headers.WWWAuthenticate = "Bearer, Basic realm=\"handle\", charset=\"UTF-8\"";
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
        var json = HandleQuery.WantsPretty(context.Request.Query) ? HandleJsonContext.Pretty : HandleJsonContext.Compact;
        await JsonSerializer.SerializeAsync(context.Response.Body, answer, json.HandleResponse, context.RequestAborted).ConfigureAwait(false);
    }

}
