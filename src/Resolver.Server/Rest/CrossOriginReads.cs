using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Resolver.Server.Configuration;

namespace Resolver.Server.Rest;

/// <summary>
/// CORS (the Fetch standard's cross-origin reads) for anonymous reads, with ASP.NET Core's CORS middleware: pages of the
/// origins in <c>--cors-origins</c> (any with <c>*</c>, the default) may read <c>GET</c>/<c>HEAD /api/handles</c>,
/// <c>/v1/identifiers</c> (and <c>:batchResolve</c>), <c>/v1/info</c> and <c>/openapi/v1.json</c>; preflights (<c>OPTIONS</c>)
/// are answered before admission. Never with credentials: no <c>Access-Control-Allow-Credentials</c>, <c>Authorization</c>
/// is not an allowed request header, and a request that carries one gets no CORS headers at all, so a browser never
/// shows a page an answer made with someone's credentials. Writes and the registry are not cross-origin.
/// </summary>
internal static class CrossOriginReads
{
    /// <summary>The policy's name, on the endpoints it covers.</summary>
    public const string Policy = "anonymous-reads";

    /// <summary>What <c>--cors-origins</c> takes to turn CORS off.</summary>
    public const string None = "none";

    /// <summary>Request headers a page may send besides the CORS-safelisted ones: conditional GETs and JSON bodies.</summary>
    public static readonly string[] AllowedHeaders = [HeaderNames.ContentType, HeaderNames.IfNoneMatch, HeaderNames.IfMatch];

    /// <summary>Response headers a page may read besides the safelisted ones (Cache-Control, Content-Type, …).</summary>
    public static readonly string[] ExposedHeaders = [HeaderNames.ETag, HeaderNames.RetryAfter];

    /// <summary>How long a browser may keep a preflight's answer (Chromium caps it at 2 hours).</summary>
    public static readonly TimeSpan PreflightMaxAge = TimeSpan.FromHours(1);

    public static IServiceCollection AddCrossOriginReads(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<SecurityOptions>>((cors, security) =>
        {
            var origins = Origins(security.Value.CorsOrigins);
            if (origins.Count == 0)
            {
                return; // none: no policy, so the middleware adds nothing and preflights find nothing to allow
            }

            cors.AddPolicy(Policy, policy =>
            {
                _ = origins is ["*"] ? policy.AllowAnyOrigin() : policy.WithOrigins([.. origins]);
                policy.WithMethods(HttpMethods.Get, HttpMethods.Head, HttpMethods.Post)
                    .WithHeaders(AllowedHeaders)
                    .WithExposedHeaders(ExposedHeaders)
                    .SetPreflightMaxAge(PreflightMaxAge);
            });
        });
        services.Replace(ServiceDescriptor.Singleton<ICorsPolicyProvider, AnonymousOnlyPolicyProvider>());
        return services;
    }

    /// <summary>The origins of a <c>--cors-origins</c> value: empty for <c>none</c>, <c>["*"]</c> for any.</summary>
    public static IReadOnlyList<string> Origins(string setting)
    {
        var origins = setting.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return origins is [var only] && only.Equals(None, StringComparison.OrdinalIgnoreCase) ? [] : origins;
    }

    /// <summary>Why a <c>--cors-origins</c> value is refused, or null when it is a valid one.</summary>
    public static string? Invalid(string setting)
    {
        var origins = setting.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (origins.Length == 0)
        {
            return "--cors-origins is empty: give *, none, or origins such as https://portal.example";
        }

        if (origins.Length > 1 && origins.Any(o => o is "*" || o.Equals(None, StringComparison.OrdinalIgnoreCase)))
        {
            return $"--cors-origins '{setting}': * and none stand alone, not in a list";
        }

        foreach (var origin in origins.Where(o => o is not "*" && !o.Equals(None, StringComparison.OrdinalIgnoreCase)))
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) ||
                uri.PathAndQuery != "/" || origin.EndsWith('/') || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
            {
                return $"--cors-origins '{origin}' is not an origin: give scheme://host[:port] with nothing after it, e.g. https://portal.example";
            }
        }

        return null;
    }

    /// <summary>Puts the policy on the JSON transcoding of the Resolution service (its HTTP routes only, not gRPC).</summary>
    public static TBuilder WithCrossOriginReads<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (endpoint.Metadata.Any(m => m is GrpcJsonTranscodingMetadata))
            {
                endpoint.Metadata.Add(new Microsoft.AspNetCore.Cors.EnableCorsAttribute(Policy));
            }
        });
        return builder;
    }

    // ASP.NET Core's provider, except for a request carrying credentials: no policy, so the middleware writes no CORS header.
    private sealed class AnonymousOnlyPolicyProvider(IOptions<CorsOptions> options) : ICorsPolicyProvider
    {
        private readonly DefaultCorsPolicyProvider _inner = new(options);

        public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
        {
            if (policyName != Policy)
            {
                return _inner.GetPolicyAsync(context, policyName); // no other policy exists: null, so no CORS header
            }

            // The answer differs with and without credentials: caches must keep them apart.
            if (!context.Response.Headers.Vary.Contains(HeaderNames.Authorization))
            {
                context.Response.Headers.Append(HeaderNames.Vary, HeaderNames.Authorization);
            }

            return context.Request.Headers.ContainsKey(HeaderNames.Authorization) ? Task.FromResult<CorsPolicy?>(null) : _inner.GetPolicyAsync(context, policyName);
        }
    }
}
