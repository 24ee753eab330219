using System.Diagnostics;

namespace Resolver.Server.Telemetry;

/// <summary>Counts every routed call once it has finished (streams when they end), after routing so the endpoint is known.</summary>
internal sealed class RequestMetricsMiddleware(RequestDelegate next, RequestMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (RequestMetrics.MethodOf(context) is not { } method)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var finished = false;
        var connectionFailed = false;
        try
        {
            await next(context).ConfigureAwait(false);
            finished = true;
        }
        catch (IOException exception) when (exception is not BadHttpRequestException)
        {
            connectionFailed = true; // the request body or the response could not travel: the caller cannot be answered
            throw;
        }
        finally
        {
            // An exception that escaped every handler becomes a 500 or a reset: counted as INTERNAL. A call the caller left
            // (it reset the call, or its connection failed under it, as when a load generator stops) is CANCELLED unless it
            // had been answered: grpc-dotnet ends a call whose request body broke off UNKNOWN, a status nobody receives.
            var left = connectionFailed || context.RequestAborted.IsCancellationRequested;
            var code = finished ? RequestMetrics.CodeOf(context) : left ? "CANCELLED" : "INTERNAL";
            code = left && code != "OK" ? "CANCELLED" : code;
            metrics.Finished(method, code, started);
        }
    }
}
