using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http.Features;

namespace Resolver.Server.Rest;

/// <summary>
/// <c>HEAD</c> on every GET route (RFC 9110 §9.3.2: "identical to GET except that the server MUST NOT send content"):
/// the request is routed and answered as a GET — the same status, ETag, Cache-Control, preconditions, rate limit — and
/// the content written is dropped. Kestrel too knows the request is a HEAD and sends no body. A CORS preflight asking
/// for HEAD is one for GET (HEAD is a CORS-safelisted method, so browsers need no Access-Control-Allow-Methods for it).
/// Runs before routing, so that it serves every route, those ASP.NET Core libraries map as GET-only included.
/// </summary>
internal sealed class HeadRequests(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsOptions(request.Method) && HttpMethods.IsHead(request.Headers[CorsConstants.AccessControlRequestMethod].ToString()))
        {
            request.Headers[CorsConstants.AccessControlRequestMethod] = HttpMethods.Get;
        }

        if (!HttpMethods.IsHead(request.Method))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var body = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null, body));
        request.Method = HttpMethods.Get;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            // Logs and the server's own request metrics name the method the client used.
            request.Method = HttpMethods.Head;
            context.Features.Set(body);
        }
    }
}
