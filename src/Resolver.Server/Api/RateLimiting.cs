using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Resolver.Server.Configuration;
using Resolver.Server.Security;

namespace Resolver.Server.Api;

/// <summary>
/// Per-caller token buckets (ASP.NET Core rate limiting) in front of the resolver.v1 services, after routing and
/// authentication: a caller is the authenticated enterprise or admin (whichever of its keys it uses), or its client
/// address when anonymous or when its credential failed (whatever it sends). The endpoint routing matched decides
/// what is limited, never the path's spelling. Over the limit is RESOURCE_EXHAUSTED with the time to wait in
/// <c>grpc-retry-pushback-ms</c> and in the message. Health and reflection are never limited.
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
                rate <= 0 || !IsResolverMethod(context)
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetTokenBucketLimiter(context.PartitionKey(), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = rate,
                        TokensPerPeriod = rate,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            options.OnRejected = (rejected, _) =>
            {
                metrics.RateLimited();
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                var response = rejected.HttpContext.Response;
                ProblemMapping.WriteGrpcStatus(response, global::Grpc.Core.StatusCode.ResourceExhausted, $"rate limit of {rate} requests per second for this caller exceeded; retry in {wait.TotalMilliseconds:0} ms");
                response.Headers["grpc-retry-pushback-ms"] = ((long)Math.Ceiling(wait.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
        }

        private static bool IsResolverMethod(HttpContext context) =>
            GrpcMethods.Routed(context) is { } method &&
            method.ServiceName.StartsWith("resolver.v1.", StringComparison.Ordinal);
    }
}
