using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;
using Resolver.Server.Configuration;

namespace Resolver.Server.Api;

/// <summary>
/// <c>--max-request-seconds</c> as an ASP.NET Core request timeout on every unary resolver.v1 method: when it passes,
/// the call's cancellation token fires, so the work stops instead of being abandoned, and the call ends
/// DEADLINE_EXCEEDED (see <see cref="ProblemInterceptor"/>). Streams are not limited: a scanner may stay connected.
/// </summary>
internal static class UnaryCallTimeouts
{
    /// <summary>The request timeout policy of unary calls and REST requests (<c>--max-request-seconds</c>).</summary>
    public const string Policy = "resolver-unary";

    public static IServiceCollection AddUnaryCallTimeouts(this IServiceCollection services)
    {
        services.AddRequestTimeouts();
        services.AddSingleton<IConfigureOptions<RequestTimeoutOptions>>(sp => new ConfigureOptions<RequestTimeoutOptions>(options =>
            options.AddPolicy(Policy, TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<LimitOptions>>().Value.MaxRequestSeconds))));
        return services;
    }

    /// <summary>Puts the unary methods of a service under the timeout policy.</summary>
    public static GrpcServiceEndpointConventionBuilder WithUnaryCallTimeouts(this GrpcServiceEndpointConventionBuilder builder)
    {
        builder.Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<GrpcMethodMetadata>().FirstOrDefault() is { Method.Type: MethodType.Unary })
            {
                endpoint.Metadata.Add(new RequestTimeoutAttribute(Policy));
            }
        });
        return builder;
    }

    /// <summary>True when the server's own limit (not the caller) cancelled the call.</summary>
    public static bool TimedOut(ServerCallContext context) =>
        context.GetHttpContext().Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;
}
