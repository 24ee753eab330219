using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Resolver.Server.Configuration;
using Resolver.Server.Security;

namespace Resolver.Server.Api;

/// <summary>
/// Per-caller token buckets (ASP.NET Core rate limiting) in front of the resolver.v1 services (gRPC and their JSON
/// transcodings under /v1) and the Handle REST routes (<see cref="ResolverApiEndpoint"/>), one bucket per caller for all of them, after routing and
/// authentication: a caller is the authenticated enterprise or admin (whichever of its keys it uses), or its client
/// address when anonymous or when its credential failed (whatever it sends). The endpoint routing matched decides
/// what is limited, never the path's spelling. Over the limit, gRPC gets RESOURCE_EXHAUSTED with the time to wait in
/// <c>grpc-retry-pushback-ms</c> and in the message; HTTP gets 429 with <c>Retry-After</c> (Handle code 3, "server too busy",
/// on the Handle routes). Health, reflection and the OpenAPI description are never limited. With <c>--rate-limit off</c>
/// the limiter is skipped (<see cref="ResolverServiceCollectionExtensions.MapResolverEndpoints"/>).
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddResolverRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddSingleton<IConfigureOptions<RateLimiterOptions>, Setup>();
        return services;
    }

    private sealed class Setup(IOptions<SecurityOptions> settings, Telemetry.RequestMetrics metrics) : IConfigureOptions<RateLimiterOptions>
    {
        public void Configure(RateLimiterOptions options)
        {
            var rate = settings.Value.RateLimitPerSecond;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                !IsResolverMethod(context)
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetTokenBucketLimiter(context.PartitionKey(), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = rate,
                        TokensPerPeriod = rate,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                metrics.RateLimited();
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                var context = rejected.HttpContext;
                var message = $"rate limit of {rate} requests per second for this caller exceeded; retry in {wait.TotalMilliseconds:0} ms";
                if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
                {
                    ProblemMapping.WriteGrpcStatus(context.Response, global::Grpc.Core.StatusCode.ResourceExhausted, message);
                    context.Response.Headers["grpc-retry-pushback-ms"] = ((long)Math.Ceiling(wait.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
                    return;
                }

                // HTTP callers (Handle REST, JSON transcoding): 429 and Retry-After in whole seconds (RFC 9110 §10.2.3).
                context.Response.Headers.RetryAfter = ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                if (context.GetEndpoint()?.Metadata.GetMetadata<ResolverApiEndpoint>() is not null)
                {
                    await Rest.HandleAnswers.WriteProblemAsync(context, "", new Core.Errors.Problem(Core.Errors.ErrorKind.ResourceExhausted, Rest.HandleCodes.RateLimitedReason, message)).ConfigureAwait(false);
                    return;
                }

                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await context.Response.WriteAsJsonAsync(new TranscodedStatus((int)global::Grpc.Core.StatusCode.ResourceExhausted, message), cancellationToken).ConfigureAwait(false);
            };
        }

        // A resolver.v1 method however it is reached (gRPC, or its JSON transcoding, which carries the same method metadata),
        // or a Handle REST route.
        private static bool IsResolverMethod(HttpContext context) =>
            (GrpcMethods.Routed(context) is { } method && method.ServiceName.StartsWith("resolver.v1.", StringComparison.Ordinal)) ||
            context.GetEndpoint()?.Metadata.GetMetadata<ResolverApiEndpoint>() is not null;
    }

    // The JSON shape of a status from JSON transcoding (google.rpc.Status: code, message).
    private sealed record TranscodedStatus(int Code, string Message);
}
