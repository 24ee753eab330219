using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Resolver.Handle;
using Resolver.Protocol.V1;
using Resolver.Federation;

namespace Resolver.Cli.Commands;

/// <summary>
/// <c>resolve</c> and <c>info</c> against any Handle server (<c>--server hdl://host:port</c>, SPEC §5a): what CNRI's
/// <c>hdl-qresolver</c> and <c>hdl-getsiteinfo</c> do, with this CLI's output. UDP first, TCP when the answer does
/// not fit or UDP gets none, as CNRI's client does. Answers print as gRPC ones do; Handle response codes map to the
/// CLI's exit codes (docs/cli.md): 100 and 200 not found (2), 102 invalid (1), anything else but success unavailable (3).
/// </summary>
internal static class HandleCommands
{
    /// <summary>True when <paramref name="server"/> is a Handle server address.</summary>
    public static bool IsHandle(string server) => server.StartsWith("hdl://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Resolves each of <paramref name="identifiers"/> in turn; the exit code is the first failing one's.</summary>
    public static async Task<int> ResolveAsync(CliContext context, IReadOnlyList<string> identifiers, string[] types, int[] indexes, bool noRecursion, bool trace, CancellationToken cancellationToken)
    {
        await using var client = ClientOf(context);
        var exit = ExitCodes.Ok;
        var results = new List<ResolveResult>();
        foreach (var identifier in identifiers)
        {
            var started = Stopwatch.GetTimestamp();
            HandleResponse answer;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(context.Timeout);
                answer = await client.ResolveAsync(new ResolutionRequest(identifier, indexes, types), noRecursion ? OpFlags.None : OpFlags.Recursive, HandleTransport.UdpThenTcp, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or TimeoutException or HandleProtocolException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var failed = context.Report(StatusCode.Unavailable, $"{client.Endpoint}: {Reason(exception)}", identifier, "handle-server-unreachable");
                exit = exit == ExitCodes.Ok ? failed : exit;
                continue;
            }

            var hop = new Hop { Endpoint = client.Endpoint, Prefix = identifier.Split('/')[0], Code = (int)StatusOf(answer.Code), Elapsed = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started)) };
            if (answer.Code != ResponseCode.Success)
            {
                var failed = context.Report(StatusOf(answer.Code), $"{ResponseCode.Name(answer.Code)} ({answer.Code}): {answer.Message}", identifier, $"handle-{answer.Code}");
                exit = exit == ExitCodes.Ok ? failed : exit;
                continue;
            }

            var record = new Record { Identifier = answer.Handle ?? identifier };
            record.Values.AddRange(answer.Values.Select(RemoteRecord.ToProto));
            var result = new ResolveResult { Identifier = identifier, Record = record };
            result.Trace.Add(hop);
            results.Add(result);
        }

        if (context.Format == OutputFormat.Json)
        {
            results.ForEach(r => context.Printer.JsonLine(trace ? r : new ResolveResult(r) { Trace = { } }));
        }
        else if (results.Count > 0)
        {
            context.Printer.Records([.. results.Select(r => r.Record)]);
            if (trace)
            {
                results.ForEach(r => context.Printer.Trace(r, client.Endpoint));
            }
        }

        return exit;
    }

    /// <summary>The server's site information (<c>OC_GET_SITEINFO</c>): its servers and the interfaces each listens on.</summary>
    public static async Task<int> InfoAsync(CliContext context, CancellationToken cancellationToken)
    {
        await using var client = ClientOf(context);
        HandleResponse answer;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(context.Timeout);
            answer = await client.GetSiteInfoAsync(HandleTransport.UdpThenTcp, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or TimeoutException or HandleProtocolException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return context.Report(StatusCode.Unavailable, $"{client.Endpoint}: {Reason(exception)}", null, "handle-server-unreachable");
        }

        if (answer.Site is not { } site)
        {
            return context.Report(StatusOf(answer.Code), $"{ResponseCode.Name(answer.Code)} ({answer.Code}): {answer.Message}", null, $"handle-{answer.Code}");
        }

        if (context.Format == OutputFormat.Json)
        {
            var servers = new JsonArray();
            foreach (var server in site.Servers)
            {
                var interfaces = new JsonArray();
                foreach (var face in server.Interfaces)
                {
                    interfaces.Add(new JsonObject { ["protocol"] = face.Protocol.ToString().ToLowerInvariant(), ["port"] = face.Port, ["serves"] = face.Kind.ToString() });
                }

                servers.Add(new JsonObject { ["id"] = server.ServerId, ["address"] = server.Address.ToString(), ["interfaces"] = interfaces });
            }

            var attributes = new JsonObject();
            foreach (var attribute in site.Attributes)
            {
                attributes[attribute.Name] = attribute.Value;
            }

            context.Out.WriteLine(new JsonObject
            {
                ["server"] = client.Endpoint,
                ["protocolVersion"] = $"{answer.Envelope.MajorVersion}.{answer.Envelope.MinorVersion}",
                ["serialNumber"] = site.SerialNumber,
                ["primary"] = site.IsPrimary,
                ["attributes"] = attributes,
                ["servers"] = servers,
            }.ToJsonString());
            return ExitCodes.Ok;
        }

        context.Printer.Line($"{client.Endpoint}: Handle protocol {answer.Envelope.MajorVersion}.{answer.Envelope.MinorVersion}, site serial {site.SerialNumber}{(site.IsPrimary ? ", primary" : "")}{string.Concat(site.Attributes.Select(a => $", {a.Name}: {a.Value}"))}");
        context.Printer.Table(["Server", "Address", "Interfaces (in the order clients try them)"],
            site.Servers.Select(s => (IReadOnlyList<string>)[
                s.ServerId.ToString(CultureInfo.InvariantCulture),
                s.Address.ToString(),
                string.Join(", ", s.Interfaces.Select(i => $"{i.Protocol.ToString().ToUpperInvariant()} {i.Port} ({i.Kind})")),
            ]));
        return ExitCodes.Ok;
    }

    private static HandleClient ClientOf(CliContext context)
    {
        var uri = new Uri(context.Server);
        var port = uri.Port > 0 ? uri.Port : 2641;
        return new HandleClient(uri.Host.Trim('[', ']'), port, TimeProvider.System, TimeSpan.FromMilliseconds(Math.Min(context.Timeout.TotalMilliseconds / 2, 2000)));
    }

    private static string Reason(Exception exception) => exception switch
    {
        OperationCanceledException => $"no answer within --timeout",
        TimeoutException => "no answer over UDP or TCP in time",
        _ => exception.Message,
    };

    private static StatusCode StatusOf(int code) => (StatusCode)ResponseCode.StatusOf(code);
}
