using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>Traces reach an OTLP collector when --otlp-endpoint names one (SPEC §11): a stand-in collector counts the exports.</summary>
public sealed class TracingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OtlpEndpoint_Configured_ExportsTheSpansOfCalls()
    {
        var exports = 0;
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port, listen => listen.Protocols = HttpProtocols.Http2));
        await using var collector = builder.Build();
        collector.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", async (HttpContext context) =>
        {
            Interlocked.Increment(ref exports);
            // An empty ExportTraceServiceResponse: one uncompressed gRPC frame of length 0, then status OK.
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "0");
            await context.Response.Body.WriteAsync(new byte[5], context.RequestAborted);
        });
        await collector.StartAsync(Ct);

        await using var server = await TestServer.StartAsync("--otlp-endpoint", $"http://localhost:{port}");
        await server.Resolution.GetServerInfoAsync(new GetServerInfoRequest(), cancellationToken: Ct);

        // The exporter sends in batches, every 5 s by default.
        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref exports) > 0), TimeSpan.FromSeconds(20), "no span reached the OTLP collector");
    }
}
