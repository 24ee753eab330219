using System.CommandLine;
using System.Text.Json;
using Resolver.Cli.Bench;

namespace Resolver.Cli.Commands;

/// <summary>
/// <c>resolver bench</c>: the load generator (SPEC §9) any integrator can point at any node: unary, batch or stream
/// calls over gRPC, or unary resolutions over the Handle protocol (UDP or TCP), for a fixed time after a warm-up, keys
/// uniform or Zipf over a file or a generated range; reports throughput, latency percentiles and errors by status, the
/// same report whatever the protocol. One client process tops out near one core (benchmarks/README.md).
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CommandRunner runner)
    {
        var protocol = new Option<string>("--protocol") { Description = "grpc (--server http://…), or the Handle protocol over handle-udp or handle-tcp (--server hdl://HOST:PORT, the node's --handle-url; unary only)", DefaultValueFactory = _ => "grpc" };
        protocol.AcceptOnlyFromAmong("grpc", "handle-udp", "handle-tcp");
        var mode = new Option<string>("--mode") { Description = "unary (one ID per call), batch (BatchResolve of --batch-size) or stream (ResolveStream, --window in flight)", DefaultValueFactory = _ => "unary" };
        mode.AcceptOnlyFromAmong("unary", "batch", "stream");
        var batchSize = new Option<int>("--batch-size") { Description = "identifiers per BatchResolve", DefaultValueFactory = _ => 100 };
        var window = new Option<int>("--window") { Description = "messages in flight per stream", DefaultValueFactory = _ => 100 };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "callers, each waiting for its answer before its next call", DefaultValueFactory = _ => 16 };
        var connections = new Option<int>("--connections") { Description = "HTTP/2 connections (grpc) or TCP connections (handle-tcp, requests pipelined on each) the callers share; with handle-udp each caller has its own socket", DefaultValueFactory = _ => 1 };
        var udpTimeout = new Option<int>("--udp-timeout-ms") { Description = "handle-udp: ms a caller waits for its answer before counting the request lost (DEADLINE_EXCEEDED) and sending its next", DefaultValueFactory = _ => 1000 };
        var duration = new Option<double>("--duration", "-d") { Description = "seconds to measure", DefaultValueFactory = _ => 10 };
        var warmup = new Option<double>("--warmup") { Description = "seconds of load before measuring (fills caches, opens connections)", DefaultValueFactory = _ => 2 };
        var keys = new Option<FileInfo?>("--keys") { Description = "identifiers to ask for, one per line; without it PREFIX/BENCH-0 … PREFIX/BENCH-(COUNT-1)" };
        var prefix = new Option<string>("--prefix") { Description = "prefix of the generated identifiers", DefaultValueFactory = _ => "88.168.1" };
        var count = new Option<int>("--count") { Description = "how many generated identifiers", DefaultValueFactory = _ => 1000 };
        var zipf = new Option<double>("--zipf") { Description = "Zipf exponent of key popularity (e.g. 1.0: a few hot keys); 0 = uniform", DefaultValueFactory = _ => 0 };
        var command = new Command("bench", "load a node and report throughput, latency percentiles and errors by status")
        {
            protocol, mode, batchSize, window, concurrency, connections, udpTimeout, duration, warmup, keys, prefix, count, zipf,
        };

        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var settings = new LoadSettings(
                parse.GetValue(mode)!, parse.GetValue(batchSize), parse.GetValue(window), parse.GetValue(concurrency),
                TimeSpan.FromSeconds(parse.GetValue(warmup)), TimeSpan.FromSeconds(parse.GetValue(duration)));
            var wire = parse.GetValue(protocol)!;
            if ((Invalid(settings, parse.GetValue(connections), parse.GetValue(count), parse.GetValue(zipf)) ?? Refused(wire, settings.Mode, context.Server, parse.GetValue(udpTimeout))) is { } problem)
            {
                return context.InvalidInput(problem);
            }

            string[] identifiers;
            try
            {
                identifiers = await KeyPicker.LoadAsync(parse.GetValue(keys), parse.GetValue(prefix)!, parse.GetValue(count), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return context.InvalidInput($"cannot read --keys {parse.GetValue(keys)}: {exception.Message}");
            }

            if (identifiers.Length == 0)
            {
                return context.InvalidInput($"--keys {parse.GetValue(keys)} holds no identifiers");
            }

            var picker = new KeyPicker(identifiers, parse.GetValue(zipf));
            var interactive = !Console.IsErrorRedirected && context.Error == Console.Error;
            void Progress(string line) => context.Error.Write(interactive ? $"\r{line,-70}" : line + Environment.NewLine);
            LoadReport report;
            if (wire == "grpc")
            {
                var channels = Enumerable.Range(0, parse.GetValue(connections)).Select(_ => context.NewChannel()).ToArray();
                try
                {
                    report = await new LoadRun(settings, picker, channels, context.Call).RunAsync(context.Server, Progress, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    foreach (var channel in channels)
                    {
                        channel.Dispose();
                    }
                }
            }
            else
            {
                var target = HandleTarget.Of(context.Server, udp: wire == "handle-udp")!;
                if (await target.ProbeAsync(TimeSpan.FromSeconds(Math.Min(context.Timeout.TotalSeconds, 5)), cancellationToken).ConfigureAwait(false) is { } unreachable)
                {
                    var hint = target.Derived
                        ? $"--server {context.Server} is a gRPC address, whose host was tried with the Handle protocol's default port {HandleTarget.DefaultPort}; give the node's Handle address instead: --server hdl://HOST:PORT (its --handle-url)"
                        : $"give --server hdl://HOST:PORT, the node's --handle-url (hdl://127.0.0.1:{HandleTarget.DefaultPort} by default)";
                    return context.Report(Grpc.Core.StatusCode.Unavailable, $"{unreachable}: {hint}", null, "handle-server-unreachable");
                }

                report = await new HandleLoad(settings, picker, target, TimeSpan.FromMilliseconds(parse.GetValue(udpTimeout)))
                    .RunAsync(parse.GetValue(connections), Progress, cancellationToken).ConfigureAwait(false);
            }

            if (interactive)
            {
                context.Error.WriteLine();
            }

            Print(context, report, wire);
            if (MostlyRefused(report) is { } warning)
            {
                context.Error.WriteLine(warning);
            }

            return report.Calls == 0 ? ExitCodes.Unavailable : ExitCodes.Ok;
        });
        return command;
    }

    // Combinations of protocol, mode and server that cannot be run, with what to give instead.
    private static string? Refused(string protocol, string mode, string server, int udpTimeoutMs)
    {
        var handleServer = server.StartsWith("hdl://", StringComparison.OrdinalIgnoreCase);
        if (protocol == "grpc")
        {
            return handleServer
                ? $"--server {server} is a Handle protocol address: add --protocol handle-udp or --protocol handle-tcp to load it over the Handle protocol, or give the node's gRPC address (e.g. {GlobalOptions.DefaultServer}) for --protocol grpc"
                : null;
        }

        return mode != "unary"
            ? $"--protocol {protocol} sends one resolution per request: the Handle protocol has no {mode} (use --mode unary, or --protocol grpc for --mode {mode})"
            : udpTimeoutMs < 1 ? "--udp-timeout-ms must be 1 or more"
            : null;
    }

    private static string? Invalid(LoadSettings settings, int connections, int count, double zipf) =>
        settings.BatchSize < 1 ? "--batch-size must be 1 or more"
        : settings.Window < 1 ? "--window must be 1 or more"
        : settings.Concurrency < 1 ? "--concurrency must be 1 or more"
        : connections < 1 ? "--connections must be 1 or more"
        : settings.Duration <= TimeSpan.Zero ? "--duration must be a positive number of seconds"
        : settings.Warmup < TimeSpan.Zero ? "--warmup must be 0 or more seconds"
        : count < 1 ? "--count must be 1 or more"
        : zipf < 0 ? "--zipf must be 0 (uniform) or more"
        : null;

    // A node that refuses most calls measures its refusals, not its resolution: say so, and why, where people look.
    private static string? MostlyRefused(LoadReport report)
    {
        if (report.Refused <= report.Calls)
        {
            return null;
        }

        var share = (double)report.Refused / (report.Refused + report.Calls);
        return report.CommonestRefusal == "RESOURCE_EXHAUSTED"
            ? $"bench: warning: {share * 100:0}% of calls were refused with RESOURCE_EXHAUSTED: the node's rate limit caps this caller (`resolver info` shows it); to measure the node, start it with --rate-limit off or a higher --rate-limit"
            : $"bench: warning: {share * 100:0}% of calls were refused, most with {report.CommonestRefusal}: the figures cover only the calls answered";
    }

    private static void Print(CliContext context, LoadReport report, string protocol)
    {
        if (context.Format == OutputFormat.Json)
        {
            context.Out.WriteLine(JsonSerializer.Serialize(report, CliJsonContext.Default.LoadReport));
            return;
        }

        var latency = report.LatencyMs;
        var callers = protocol == "handle-udp"
            ? $"{report.Concurrency} callers, each with its own UDP socket"
            : $"{report.Concurrency} callers on {report.Connections} connection(s)";
        context.Out.WriteLine($"{report.Mode}{(protocol == "grpc" ? "" : $" over {protocol}")} against {report.Server}: {callers}, {report.Seconds:0.###} s");
        context.Out.WriteLine($"  throughput  {report.CallsPerSecond:#,0.#} calls/s   {report.IdsPerSecond:#,0.#} IDs/s   ({report.Calls:#,0} calls, {report.Ids:#,0} IDs)");
        context.Out.WriteLine($"  latency ms  p50 {latency.P50:0.###}   p90 {latency.P90:0.###}   p99 {latency.P99:0.###}   p99.9 {latency.P999:0.###}   max {latency.Max:0.###}");
        context.Out.WriteLine(report.Refused == 0 ? "  refused     none" : $"  refused     {report.Refused:#,0} calls, not in throughput or latency");
        context.Out.WriteLine(report.Errors.Count == 0 ? "  errors      none" : $"  errors      {string.Join(", ", report.Errors.Select(e => $"{e.Key} {e.Value:#,0}"))}");
    }
}
