using System.Diagnostics;
using System.Text.Json;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// The closest thing to a cluster this machine allows (SPEC §10, docs/operations.md): replicas on one PostgreSQL and
/// one Redis, each on its own loopback address under one host name, as a headless Service gives them; the CLI's load
/// generator with client-side round robin resolves that name from a hosts file in a mount namespace of its own.
/// Calls spread over every replica (counted from each replica's metrics); a replica killed mid-run costs no call
/// beyond the ones in flight on it; a replica added mid-run takes calls within the DNS refresh interval.
/// </summary>
[Collection(MetricsScrapes.Name)]
public sealed class ScaleOutTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Name = "resolver.test";
    private const int Callers = 4;
    private static readonly string[] FirstAddresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
    private readonly List<ServerProcess> _replicas = [];
    private readonly string _hosts = Path.Combine(Path.GetTempPath(), $"resolver-hosts-{Guid.NewGuid():N}");
    private RedisServer _redis = null!;
    private string _store = "";
    private int _port;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/unshare"))
        {
            throw new InvalidOperationException("the scale-out test gives the CLI its own /etc/hosts in a mount namespace: run the tests as root with util-linux's unshare installed (apt-get install util-linux)");
        }

        _redis = await RedisServer.StartAsync(cancellationToken: Ct);
        _store = "postgres:" + await postgres.Server.CreateSchemaAsync(Ct);
        _port = FreePort.Next();
        _replicas.AddRange(await Task.WhenAll(FirstAddresses.Select(StartReplicaAsync)));

        await _replicas[0].Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        for (var i = 0; i < 20; i++)
        {
            var create = new CreateRecordRequest { Identifier = $"88.168.1/BENCH-{i}" };
            create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = $"https://example.com/{i}" } });
            await _replicas[0].Registry.CreateRecordAsync(create, cancellationToken: Ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await _redis.DisposeAsync();
        File.Delete(_hosts);
    }

    private Task<ServerProcess> StartReplicaAsync(string address) =>
        ServerProcess.StartOnAsync(address, _port, "--store", _store, "--redis", _redis.Configuration, "--rate-limit", "off");

    // Written before the CLI starts, then only appended to: the CLI's namespace has this very file bind-mounted over
    // /etc/hosts, and a lookup must never see it half-written. A replica that dies stays listed, as a Service's
    // endpoint does until Kubernetes notices: round robin must skip it by itself.
    private async Task WriteHostsAsync(IEnumerable<ServerProcess> replicas, bool append = false)
    {
        var lines = replicas.Select(r => $"{new Uri(r.GrpcAddress).Host} {Name}\n");
        var text = string.Concat(append ? lines : lines.Prepend("127.0.0.1 localhost\n"));
        await using var file = new FileStream(_hosts, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        await file.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text), Ct);
    }

    // The CLI as built in its own project (its dependencies beside it), in the configuration these tests were built in.
    private static string CliBinary()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(Repository.Root(), "src", "Resolver.Cli", "bin", framework.Parent!.Name, framework.Name, "resolver.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build the solution first (./test.sh does)");
    }

    private static async Task<double> ResolvesAsync(ServerProcess replica) =>
        (await PrometheusScrape.ReadAsync(replica.HttpAddress, Ct)).Sum("resolver_requests_total", "method=resolver.v1.Resolution/Resolve");

    [Fact]
    public async Task RoundRobin_SpreadsCalls_SurvivesAKilledReplica_AndPicksUpAnAddedOne()
    {
        await WriteHostsAsync(_replicas);
        var cli = CliBinary();
        var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["--mount", "--", "sh", "-c", $"mount --bind {_hosts} /etc/hosts && exec dotnet {cli} \"$@\"", "sh",
            "bench", "--server", $"http://{Name}:{_port}", "--lb", "round_robin", "--dns-refresh-seconds", "1",
            "--mode", "unary", "--concurrency", Callers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--count", "20",
            "--warmup", "1", "--duration", "120", "--output", "json"])
        {
            start.ArgumentList.Add(argument);
        }

        using var bench = Process.Start(start)!;
        var output = bench.StandardOutput.ReadToEndAsync(Ct);
        var errors = bench.StandardError.ReadToEndAsync(Ct);

        // 1. Every replica takes calls.
        await Eventually.TrueAsync(
            async () => bench.HasExited
                ? throw new InvalidOperationException($"resolver bench ended early ({bench.ExitCode}): {await errors}")
                : (await Task.WhenAll(_replicas.Select(ResolvesAsync))).All(n => n > 0),
            TimeSpan.FromSeconds(15),
            "not every replica took calls");

        // 2. One replica dies (SIGKILL, as a node failure does); 3. a fourth comes up and is added to the name.
        var killed = _replicas[1];
        await killed.DisposeAsync();
        _replicas.Remove(killed);
        var added = await StartReplicaAsync("127.0.0.5");
        _replicas.Add(added);
        await WriteHostsAsync([added], append: true);
        Assert.False(bench.HasExited, $"the load ended before the added replica could be checked: {(bench.HasExited ? await errors : "")}");
        await Eventually.TrueAsync(async () => await ResolvesAsync(added) > 0, TimeSpan.FromSeconds(10), "the replica added mid-run took no call within the refresh interval (1 s) and a loaded machine's margin");

        // Ctrl+C ends the load early; the report covers the time measured.
        using (var interrupt = Process.Start("kill", ["-INT", bench.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync(Ct);
        }

        await bench.WaitForExitAsync(Ct);
        Assert.True(bench.ExitCode == 0, $"resolver bench exited {bench.ExitCode}: {await errors}");
        var report = JsonDocument.Parse(await output).RootElement;
        var failed = report.GetProperty("errors").EnumerateObject().Sum(e => e.Value.GetInt64());
        Assert.True(failed <= Callers, $"{failed} calls failed; at most the {Callers} in flight on the killed replica may: {report}");
        Assert.True(report.GetProperty("calls").GetInt64() > 0);
    }
}
