using System.Globalization;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Server.Api;
using Resolver.Server.Configuration;
using Resolver.Server.Federation;
using Resolver.Server.Rest;
using Resolver.Server.Security;
using Resolver.Server.Telemetry;

namespace Resolver.Server.Calls;

/// <summary>
/// The HTTP wires' decoder and refusal writer for <see cref="CallPipeline"/>: every resolver.v1 call, whether gRPC or its
/// JSON transcoding under /v1, and every Handle REST request becomes a <see cref="CallRequest"/> (the Authorization
/// header, the client address, <c>grpc-timeout</c>, <c>resolver-hops</c>), is admitted or refused once, before any
/// service runs, and the admitted <see cref="AdmittedCall"/> is what services read (<see cref="CallerAccess.GetCall(HttpContext)"/>).
/// A refusal is written in the wire's own form: a gRPC status (with the Problem trailer and
/// <c>grpc-retry-pushback-ms</c>), a Handle JSON answer, or a transcoded JSON status. JSON and REST bodies are bounded
/// by <c>--max-message-bytes</c>, as gRPC messages are. Health, reflection, probes and OpenAPI are not resolver calls.
/// </summary>
internal sealed class HttpCallAdmission(RequestDelegate next, CallPipeline pipeline, ProblemClassifier problems, IOptions<LimitOptions> limits, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var grpcMethod = GrpcMethods.Routed(context);
        var rest = context.GetEndpoint()?.Metadata.GetMetadata<ResolverApiEndpoint>() is not null;
        if (!rest && grpcMethod?.ServiceName.StartsWith("resolver.v1.", StringComparison.Ordinal) != true)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        // The wire is the endpoint routing matched, never what the client declares: a /v1 route is JSON whatever its Content-Type.
        var grpc = grpcMethod is not null && context.Request.Path.Equals(grpcMethod.FullName, StringComparison.OrdinalIgnoreCase);
        var wire = grpc ? "grpc" : rest ? "rest" : "json";
        if (!grpc && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
        {
            body.MaxRequestBodySize = limits.Value.MaxMessageBytes;
        }

        var request = new CallRequest(
            wire,
            RequestMetrics.MethodOf(context) ?? context.Request.Path,
            context.Request.Headers.Authorization is { Count: > 0 } authorization ? authorization.ToString() : null,
            context.Connection.RemoteIpAddress,
            grpc ? GrpcTimeout.DeadlineOf(context.Request.Headers["grpc-timeout"], time.GetUtcNow().UtcDateTime) : null,
            context.Request.Headers[Hops.Header] is { Count: > 0 } hops && int.TryParse(hops[^1], CultureInfo.InvariantCulture, out var passed) ? Math.Max(0, passed) : 0,
            Unary: rest || !grpc || context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method.Type == global::Grpc.Core.MethodType.Unary);

        AdmittedCall call;
        try
        {
            call = await pipeline.AdmitAsync(request, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ResolverException refused)
        {
            await RefuseAsync(context, wire, refused.Problem).ConfigureAwait(false);
            return;
        }
#pragma warning disable CA1031 // the edge of admission: classified once and answered in the wire's form, never with its text
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var problem = problems.Classify(exception, request.Method, callerLeft: context.RequestAborted.IsCancellationRequested);
            if (problem.Kind != ErrorKind.Cancelled)
            {
                await RefuseAsync(context, wire, problem).ConfigureAwait(false);
            }

            return;
        }

        context.Features.Set(call);

        await next(context).ConfigureAwait(false);
    }

    // The refusal in the wire's own form, counted under its status by the request metrics.
    private static Task RefuseAsync(HttpContext context, string wire, Problem problem)
    {
        RequestMetrics.SetStatus(context, (global::Grpc.Core.StatusCode)(int)problem.Kind);
        if (problem.RetryAfter is { } wait && wire != "grpc")
        {
            // RFC 9110 §10.2.3: whole seconds.
            context.Response.Headers.RetryAfter = ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        switch (wire)
        {
            case "grpc":
                ProblemMapping.WriteGrpcStatus(context.Response, problem);
                return Task.CompletedTask;
            case "rest":
                // Handle's answers name the handle asked for, refusals included (as CNRI's server does).
                return HandleAnswers.WriteProblemAsync(context, HandlePath.TryGet(context, out var handle, out _) ? handle : "", problem);
            default:
                return ProblemMapping.WriteJsonStatusAsync(context.Response, problem, context.RequestAborted);
        }
    }
}
