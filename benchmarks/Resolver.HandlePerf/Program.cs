using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Resolver.Handle;
using Resolver.HandlePerf;

// resolver-handleperf: the Handle protocol's peak load generator, what dnsperf is for a DNS server. One resolution
// request per identifier of the key file, encoded once; --clients UDP sockets or persistent TCP connections, each with
// --window requests in flight, driven by --threads threads; answers counted by request id for --seconds after --warmup.
// It reports queries per second, response codes, and its own CPU, so that a reader can tell whether it was the limit.
var server = new Option<string>("--server") { Description = "the Handle server, HOST:PORT or hdl://HOST:PORT (an address, or a name resolved once)", Required = true };
var keys = new Option<FileInfo>("--keys") { Description = "identifiers, one per line (resolver-dataset export hot|keys): one request each, sent in random order", Required = true };
var transport = new Option<string>("--transport") { Description = "udp (one datagram per request, as dnsperf) or tcp (persistent connections, requests pipelined)", DefaultValueFactory = _ => "udp" };
transport.AcceptOnlyFromAmong("udp", "tcp");
var clients = new Option<int>("--clients", "-c") { Description = "UDP sockets or TCP connections", DefaultValueFactory = _ => 8 };
var window = new Option<int>("--window", "-q") { Description = "requests in flight per socket or connection", DefaultValueFactory = _ => 32 };
var threads = new Option<int>("--threads", "-T") { Description = "threads the sockets are spread over", DefaultValueFactory = _ => 1 };
var seconds = new Option<double>("--seconds", "-l") { Description = "seconds measured", DefaultValueFactory = _ => 10 };
var warmup = new Option<double>("--warmup") { Description = "seconds of load before measuring", DefaultValueFactory = _ => 1 };
var perRequest = new Option<bool>("--connection-per-request") { Description = "tcp: a new connection for each request, closed after its answer (CNRI's Handle.Net server answers one request per connection); --window is then 1" };
var timeout = new Option<int>("--timeout-ms") { Description = "ms after which a request without an answer is lost (its slot takes the next)", DefaultValueFactory = _ => 1000 };
var root = new RootCommand("The Handle protocol's peak load generator: pre-encoded resolution requests over UDP or persistent TCP connections; reports queries/s, response codes and its own CPU.")
{
    server, keys, transport, clients, window, threads, seconds, warmup, timeout, perRequest,
};

root.SetAction(async (result, cancellationToken) =>
{
    var (clientCount, windowSize, threadCount) = (result.GetValue(clients), result.GetValue(window), result.GetValue(threads));
    var (measured, warm, lost) = (result.GetValue(seconds), result.GetValue(warmup), result.GetValue(timeout));
    var invalid = clientCount < 1 ? "--clients must be 1 or more"
        : windowSize is < 1 or > 65_536 ? "--window must be 1 to 65536"
        : threadCount < 1 || threadCount > clientCount ? "--threads must be 1 to --clients"
        : measured <= 0 || warm < 0 ? "--seconds must be positive and --warmup 0 or more"
        : lost < 1 ? "--timeout-ms must be 1 or more"
        : null;
    if (invalid is not null)
    {
        Console.Error.WriteLine($"resolver-handleperf: {invalid}");
        return 2;
    }

    var address = result.GetValue(server)!;
    if (!Uri.TryCreate(address.Contains("://", StringComparison.Ordinal) ? address : "hdl://" + address, UriKind.Absolute, out var uri) || uri.Port <= 0)
    {
        Console.Error.WriteLine($"resolver-handleperf: --server {address} is not HOST:PORT or hdl://HOST:PORT");
        return 2;
    }

    var host = uri.Host.Trim('[', ']');
    var endpoint = new IPEndPoint(IPAddress.TryParse(host, out var literal) ? literal : (await Dns.GetHostAddressesAsync(host, cancellationToken))[0], uri.Port);
    var identifiers = (await File.ReadAllLinesAsync(result.GetValue(keys)!.FullName, cancellationToken)).Select(line => line.Trim()).Where(line => line.Length > 0).ToArray();
    if (identifiers.Length == 0)
    {
        Console.Error.WriteLine($"resolver-handleperf: --keys {result.GetValue(keys)} holds no identifiers");
        return 2;
    }

    var requests = EncodedRequests.Encode(identifiers, DateTimeOffset.UtcNow);
    var udp = result.GetValue(transport) == "udp";
    var oneShot = result.GetValue(perRequest);
    if (udp && oneShot)
    {
        Console.Error.WriteLine("resolver-handleperf: --connection-per-request is for --transport tcp");
        return 2;
    }

    windowSize = oneShot ? 1 : windowSize;
    Flow[] flows;
    try
    {
        flows = [.. Enumerable.Range(0, clientCount).Select(i => udp ? (Flow)new UdpFlow(endpoint, requests, windowSize, i + 1) : new TcpFlow(endpoint, requests, windowSize, i + 1, oneShot))];
    }
    catch (SocketException exception)
    {
        Console.Error.WriteLine($"resolver-handleperf: cannot connect to {endpoint} over {(udp ? "UDP" : "TCP")}: {exception.SocketErrorCode}");
        return 1;
    }

    var runners = Enumerable.Range(0, threadCount).Select(t => new FlowThread([.. flows.Where((_, i) => i % threadCount == t)], TimeSpan.FromMilliseconds(lost), t)).ToArray();
    foreach (var runner in runners)
    {
        runner.Start();
    }

    await Task.Delay(TimeSpan.FromSeconds(warm), CancellationToken.None);
    var (before, cpuBefore, startedAt) = (Total(flows), Environment.CpuUsage, Stopwatch.GetTimestamp());
    await Task.Delay(TimeSpan.FromSeconds(measured), CancellationToken.None);
    var (after, cpuAfter, wall) = (Total(flows), Environment.CpuUsage, Stopwatch.GetElapsedTime(startedAt).TotalSeconds);
    foreach (var runner in runners)
    {
        runner.Stop();
    }

    foreach (var flow in flows)
    {
        flow.Socket.Dispose();
    }

    var counts = after.Since(before);
    var user = (cpuAfter.UserTime - cpuBefore.UserTime).TotalSeconds;
    var system = (cpuAfter.PrivilegedTime - cpuBefore.PrivilegedTime).TotalSeconds;
    var codes = counts.Codes.Select((count, code) => (code, count)).Where(c => c.count > 0)
        .Select(c => $"{(c.code == FlowCounts.CodeBuckets - 1 ? "OTHER" : ResponseCode.Name(c.code))} {c.count} ({100.0 * c.count / Math.Max(1, counts.Completed):0.00}%)");
    var invariant = CultureInfo.InvariantCulture;
    Console.WriteLine(string.Create(invariant, $"resolver-handleperf: {(udp ? "UDP" : oneShot ? "TCP, a connection per request," : "TCP")} to {endpoint}, {clientCount} {(udp ? "sockets" : "connections")} x {windowSize} in flight on {threadCount} thread(s), {identifiers.Length} identifiers in random order, {measured} s after {warm} s of warm-up"));
    Console.WriteLine(string.Create(invariant, $"  Queries sent:         {counts.Sent}"));
    Console.WriteLine(string.Create(invariant, $"  Queries completed:    {counts.Completed}"));
    Console.WriteLine(string.Create(invariant, $"  Queries lost:         {counts.Lost} (no answer within {lost} ms{(counts.Stray > 0 ? $"; {counts.Stray} stray datagrams, late answers or ICMP errors" : "")})"));
    Console.WriteLine(string.Create(invariant, $"  Queries per second:   {counts.Completed / wall:0}"));
    Console.WriteLine($"  Response codes:       {(counts.Completed == 0 ? "none" : string.Join(", ", codes))}");
    Console.WriteLine(string.Create(invariant, $"  Average latency:      {(counts.Completed == 0 ? 0 : counts.LatencyTicks * 1000.0 / Stopwatch.Frequency / counts.Completed):0.000} ms"));
    Console.WriteLine(string.Create(invariant, $"  CPU (this process):   user {user:0.00} s, system {system:0.00} s over {wall:0.00} s: {(user + system) / wall:0.00} cores, {(counts.Completed == 0 ? 0 : (user + system) * 1e6 / counts.Completed):0.0} us per answer"));
    if (runners.FirstOrDefault(r => r.Failure is not null)?.Failure is { } failure)
    {
        Console.Error.WriteLine($"resolver-handleperf: a thread stopped on a socket error: {failure.SocketErrorCode}");
        return 1;
    }

    if (counts.Completed == 0)
    {
        Console.Error.WriteLine($"resolver-handleperf: no answer from {endpoint} over {(udp ? "UDP" : "TCP")}: is a Handle server listening there?");
        return 1;
    }

    return 0;
});

return await root.Parse(args).InvokeAsync();

static FlowCounts Total(IEnumerable<Flow> flows)
{
    var total = new FlowCounts();
    foreach (var flow in flows)
    {
        flow.Counts.AddTo(total);
    }

    return total;
}
