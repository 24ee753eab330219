using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Resolver.Server.Configuration;

namespace Resolver.Server.Api;

/// <summary>
/// Per-caller token buckets (ASP.NET Core rate limiting) in front of the resolver.v1 services: a caller is
/// its bearer credential, or its address when anonymous. Over the limit is RESOURCE_EXHAUSTED with the
/// time to wait in <c>grpc-retry-pushback-ms</c> and in the message. Health and reflection are never limited.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddResolverRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddSingleton<IConfigureOptions<RateLimiterOptions>, Setup>();
        return services;
    }

    private sealed class Setup(IOptions<ResolverServerOptions> settings) : IConfigureOptions<RateLimiterOptions>
    {
        public void Configure(RateLimiterOptions options)
        {
            var rate = settings.Value.RateLimitPerSecond;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                rate <= 0 || context.Request.Path.Value?.StartsWith("/resolver.v1.", StringComparison.Ordinal) != true
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetTokenBucketLimiter(CallerKey(context), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = rate,
                        TokensPerPeriod = rate,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            options.OnRejected = (rejected, _) =>
            {
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/grpc";
                response.Headers["grpc-status"] = "8";
                response.Headers["grpc-message"] = Uri.EscapeDataString($"rate limit of {rate} requests per second for this caller exceeded; retry in {wait.TotalMilliseconds:0} ms");
                response.Headers["grpc-retry-pushback-ms"] = ((long)Math.Ceiling(wait.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
                return ValueTask.CompletedTask;
            };
        }

        // The credential as authentication reads it (scheme and spacing ignored), so that one credential is one
        // bucket however it is spelled; only a dictionary key in memory, never logged.
        private static string CallerKey(HttpContext context)
        {
            var header = context.Request.Headers.Authorization.ToString().Trim();
            var credential = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : header;
            return credential.Length > 0 ? "auth:" + credential : "addr:" + context.Connection.RemoteIpAddress;
        }
    }
}
