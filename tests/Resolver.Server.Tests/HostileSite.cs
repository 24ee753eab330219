using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Resolver.Protocol.V1;
using Resolver.Testing;
using Record = Resolver.Protocol.V1.Record;

namespace Resolver.Server.Tests;

/// <summary>
/// A scriptable gRPC site on a free loopback port: it answers resolver.v1.Resolution with whatever the test's script
/// says for each identifier (a forged record, a referral anywhere, a malformed answer), as a hostile or broken node
/// would. It records what it was asked, so a test can tell whether a node dialled it at all.
/// </summary>
public sealed class HostileSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HostileSite(WebApplication app, string address, Func<ResolveRequest, ResolveResult> script)
    {
        (_app, Address, Script) = (app, address, script);
    }

    /// <summary>The site's endpoint, e.g. http://127.0.0.1:40123.</summary>
    public string Address { get; }

    /// <summary>The answer to one identifier (the request as the node sent it).</summary>
    public Func<ResolveRequest, ResolveResult> Script { get; set; }

    /// <summary>Every identifier asked of this site, in order.</summary>
    public ConcurrentQueue<string> Asked { get; } = new();

    /// <summary>The <c>authorization</c> header of every call, in order ("" for an anonymous call).</summary>
    public ConcurrentQueue<string> Credentials { get; } = new();

    /// <summary>The deadline every call arrived with (UTC; DateTime.MaxValue for none), in order.</summary>
    public ConcurrentQueue<DateTime> Deadlines { get; } = new();

    /// <summary>Starts a site answering with <paramref name="script"/>.</summary>
    public static async Task<HostileSite> StartAsync(Func<ResolveRequest, ResolveResult> script)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc => grpc.MaxSendMessageSize = null);
        var holder = new Holder();
        builder.Services.AddSingleton(holder);
        var app = builder.Build();
        app.MapGrpcService<ScriptedResolution>();
        var site = new HostileSite(app, $"http://127.0.0.1:{port}", script);
        holder.Site = site;
        await app.StartAsync(TestContext.Current.CancellationToken);
        return site;
    }

    /// <summary>A site answering every identifier with a record of one public URL value (the identifier as asked).</summary>
    public static Task<HostileSite> ServingAsync(string url) => StartAsync(request => RecordOf(request.Identifier, url));

    /// <summary>An answer carrying a record of <paramref name="identifier"/> with one public URL value.</summary>
    public static ResolveResult RecordOf(string identifier, string url)
    {
        var record = new Record { Identifier = identifier, Version = 1 };
        record.Values.Add(new Value { Index = 1, Type = "URL", Data = new ValueData { Text = url }, Ttl = 3600, Permissions = new Permissions { PublicRead = true, AdminRead = true } });
        return new ResolveResult { Identifier = identifier, Status = new ItemStatus(), Record = record };
    }

    /// <summary>An answer referring <paramref name="identifier"/> for <paramref name="prefix"/> to <paramref name="endpoints"/>.</summary>
    public static ResolveResult ReferralOf(string identifier, string prefix, params IEnumerable<string> endpoints)
    {
        var referral = new Referral { Prefix = prefix, Ttl = 3600 };
        referral.Endpoints.AddRange(endpoints);
        return new ResolveResult { Identifier = identifier, Status = new ItemStatus(), Referral = referral };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private ResolveResult Answer(ResolveRequest request)
    {
        Asked.Enqueue(request.Identifier);
        return Script(request);
    }

    private sealed class Holder
    {
        public HostileSite? Site { get; set; }
    }

    private sealed class ScriptedResolution(Holder holder) : Resolution.ResolutionBase
    {
        public override Task<ResolveResult> Resolve(ResolveRequest request, ServerCallContext context)
        {
            holder.Site!.Credentials.Enqueue(context.RequestHeaders.GetValue("authorization") ?? "");
            return Task.FromResult(holder.Site!.Answer(request));
        }

        public override Task<BatchResolveResponse> BatchResolve(BatchResolveRequest request, ServerCallContext context)
        {
            holder.Site!.Credentials.Enqueue(context.RequestHeaders.GetValue("authorization") ?? "");
            holder.Site!.Deadlines.Enqueue(context.Deadline);
            var response = new BatchResolveResponse();
            response.Results.AddRange(request.Requests.Select(holder.Site!.Answer));
            return Task.FromResult(response);
        }
    }
}
