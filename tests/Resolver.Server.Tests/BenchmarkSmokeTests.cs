using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// CI's smoke of every benchmark entry point (benchmarks/README.md): compare.sh on a tiny dataset, which drives
/// resolver-dataset (load, export, warm), resolver-baseline, <c>resolver bench</c>, h2load, redis-benchmark, pgbench,
/// dnsperf against Knot and resolver-handleperf against the Handle listener (CNRI's server only with --cnri, not here), and once more with --only and --large (the PostgreSQL cases at two sizes); soak.sh for a few seconds; template-import.sh on a few hundred records; and every BenchmarkDotNet suite once (Dry job, in process). Seconds per system: they prove that
/// each starts, runs and writes its report, and that what was measured was answers, never how fast anything is.
/// </summary>
[Collection(nameof(BenchmarkSmokeTests))]
[CollectionDefinition(nameof(BenchmarkSmokeTests), DisableParallelization = true)] // they load both cores: alone, so no other test slows down
public sealed class BenchmarkSmokeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompareScript_Smoke_ReportsEverySystemOfEveryCaseAnsweringOk()
    {
        var directory = Directory.CreateTempSubdirectory("resolver-compare-smoke-");
        try
        {
            var report = Path.Combine(directory.FullName, "report.md");
            var (exitCode, output) = await RunAsync("bash", [Path.Combine(Repository.Root(), "benchmarks", "compare.sh"), "--smoke", "--no-build", "--out", report], TimeSpan.FromMinutes(8));
            Assert.True(exitCode == 0, $"compare.sh --smoke exited with {exitCode}:\n{Tail(output)}");

            // | case | system | IDs/s | server cores | load generator cores | OK share |
            var rows = File.ReadLines(report)
                .TakeWhile(line => !line.StartsWith("## ", StringComparison.Ordinal))
                .Where(line => line.StartsWith("| ", StringComparison.Ordinal) && !line.StartsWith("| case", StringComparison.Ordinal) && !line.StartsWith("| ---", StringComparison.Ordinal))
                .Select(line => line.Split('|', StringSplitOptions.TrimEntries)[1..^1])
                .ToList();
            string[] systems = ["resolver", "baseline", "knot", "redis-mget", "resolver-bench-cli", "resolver-h2load-hot", "redis-get", "pgbench-any", "pgbench-one",
                "resolver-grpc-unary", "resolver-handle-udp", "resolver-handle-tcp", "resolver-grpc-bench"];
            Assert.Equal(systems.Order(), rows.Select(row => row[1]).Distinct().Order());
            Assert.Equal(28, rows.Count);
            Assert.Equal(4, rows.Count(row => row[0].StartsWith("Handle UDP, hot", StringComparison.Ordinal) || row[0].StartsWith("Handle TCP persistent, hot", StringComparison.Ordinal)));
            foreach (var row in rows)
            {
                Assert.True(double.Parse(row[2], CultureInfo.InvariantCulture) > 0, $"{row[0]} / {row[1]} measured nothing");
                // Errors answer fast: a system that measured errors would be far below this (the full run has seen 0.9994 once).
                Assert.True(double.Parse(row[5], CultureInfo.InvariantCulture) >= 0.99, $"{row[0]} / {row[1]}: only {row[5]} of what was measured was answered OK");
            }

            var ratios = File.ReadLines(report).SkipWhile(line => !line.StartsWith("## Ratios", StringComparison.Ordinal)).Count(line => line.StartsWith("| ", StringComparison.Ordinal) && line.Contains(" | ≥ ", StringComparison.Ordinal));
            Assert.Equal(16, ratios);
            // The Handle protocol's peers here: Knot over UDP and the node's own gRPC over TCP; CNRI's rows wait for --cnri.
            var lines = File.ReadAllLines(report);
            Assert.Contains(lines, line => Regex.IsMatch(line, @"^\| Handle UDP L1 hit / Knot queries .*\| \d+\.\d\d × \|"));
            Assert.Contains(lines, line => Regex.IsMatch(line, @"^\| Handle TCP persistent L1 hit / gRPC unary calls .*\| \d+\.\d\d × \|"));
            Assert.Equal(3, lines.Count(line => line.Contains("CNRI", StringComparison.Ordinal) && line.Contains("| not measured |", StringComparison.Ordinal)));
            // The one-caller latency from a C client beside the C# one's, both servers measured.
            var text = File.ReadAllText(report);
            Assert.Matches(@"`h2load -c 1 -m 1`, which reports means only\): Resolver [1-9]\d* µs,\nthe bare baseline [1-9]\d* µs per call\.", text);
            Assert.DoesNotContain("logs kept", output, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task CompareScript_OnlyPostgreSqlWithLarge_PreparesOnlyWhatItMeasuresAndComparesTheTwoSizes()
    {
        var directory = Directory.CreateTempSubdirectory("resolver-compare-large-");
        try
        {
            var report = Path.Combine(directory.FullName, "report.md");
            var (exitCode, output) = await RunAsync("bash", [Path.Combine(Repository.Root(), "benchmarks", "compare.sh"), "--smoke", "--no-build", "--only", "PostgreSQL", "--large", "5000", "--pg-setting", "shared_buffers=64MB", "--out", report], TimeSpan.FromMinutes(6));
            Assert.True(exitCode == 0, $"compare.sh --only PostgreSQL --large 5000 exited with {exitCode}:\n{Tail(output)}");

            // The scale target's point: nothing but PostgreSQL and the store-only nodes is prepared (at ten million
            // identifiers the baseline, Redis and Knot would not fit the machine).
            Assert.DoesNotContain("Redis: mass insert", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Knot DNS", output, StringComparison.Ordinal);
            Assert.DoesNotContain("starting baseline", output, StringComparison.Ordinal);
            Assert.DoesNotContain("starting resolver-l1", output, StringComparison.Ordinal);
            Assert.DoesNotContain("starting resolver-redis", output, StringComparison.Ordinal);
            Assert.Contains("starting resolver-store-large", output, StringComparison.Ordinal);
            Assert.Contains("bulk load of 5000 identifiers", output, StringComparison.Ordinal);
            var lines = File.ReadAllLines(report);
            // The report names what it ran, the PostgreSQL setting included, so a run can be repeated.
            Assert.Contains(lines, line => line.Contains("--only \"PostgreSQL\" --large 5000 --pg-setting shared_buffers=64MB`", StringComparison.Ordinal));
            var rows = lines.TakeWhile(line => !line.StartsWith("## ", StringComparison.Ordinal))
                .Where(line => line.StartsWith("| ", StringComparison.Ordinal) && !line.StartsWith("| case", StringComparison.Ordinal) && !line.StartsWith("| ---", StringComparison.Ordinal))
                .Select(line => line.Split('|', StringSplitOptions.TrimEntries)[1..^1])
                .ToList();
            // The Handle protocol's store case matches --only PostgreSQL too: its three rows, then the gRPC ones as before.
            var handleRows = rows.Where(row => row[0].StartsWith("Handle", StringComparison.Ordinal)).ToList();
            Assert.Equal(["resolver-grpc-bench", "resolver-handle-tcp", "resolver-handle-udp"], handleRows.Select(row => row[1]).Order());
            rows = [.. rows.Except(handleRows)];
            Assert.Equal(8, rows.Count);
            Assert.All(rows, row => Assert.Contains("PostgreSQL", row[0], StringComparison.Ordinal));
            Assert.Equal(["pgbench-any", "pgbench-any-5000", "pgbench-one", "pgbench-one-5000", "resolver", "resolver-5000"], rows.Select(row => row[1]).Distinct().Order());
            Assert.All(rows, row => Assert.True(double.Parse(row[5], CultureInfo.InvariantCulture) >= 0.99, $"{row[0]} / {row[1]}: only {row[5]} answered OK"));
            var scale = lines.Where(line => line.StartsWith("| PostgreSQL-miss", StringComparison.Ordinal) && line.Contains("5000 identifiers / 2000", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, scale.Count);
            Assert.All(scale, line => Assert.Matches(@"\| \d+\.\d\d × \| ≥ 0\.8 × \|", line));
            // PostgreSQL's own slowdown at the larger size, the yardstick for the two ratios above.
            Assert.Contains(lines, line => Regex.IsMatch(line, @"^PostgreSQL itself, .* 5000 identifiers / 2000: = ANY\(100\) \d+\.\d\d ×, one query per call \d+\.\d\d ×\.$"));
            Assert.Contains(lines, line => line.StartsWith("| unary L1 hit / bare baseline | not measured", StringComparison.Ordinal));
            Assert.Contains(lines, line => line.StartsWith("| one caller unary L1 hit p50, p99; resident memory | not measured", StringComparison.Ordinal));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task SoakScript_Smoke_SamplesTheNodesMemoryWhileItAnswers()
    {
        var directory = Directory.CreateTempSubdirectory("resolver-soak-smoke-");
        try
        {
            var report = Path.Combine(directory.FullName, "soak.md");
            var (exitCode, output) = await RunAsync("bash", [Path.Combine(Repository.Root(), "benchmarks", "soak.sh"), "--seconds", "4", "--count", "2000", "--every", "1", "--out", report], TimeSpan.FromMinutes(3));
            Assert.True(exitCode == 0, $"soak.sh exited with {exitCode}:\n{Tail(output)}");

            var text = File.ReadAllText(report);
            var answered = System.Text.RegularExpressions.Regex.Match(text, @"answered (\d+) identifiers");
            Assert.True(answered.Success && long.Parse(answered.Groups[1].Value, CultureInfo.InvariantCulture) > 0, $"the load answered nothing:\n{text}");
            Assert.Contains("calls refused: 0;", text, StringComparison.Ordinal);
            Assert.Contains($"GC heap limit {HeapLimit.Derive(256, 4 * 1024 * 1024) / (1024 * 1024)} MiB: derived", text, StringComparison.Ordinal); // as deployed: the node's own
            var samples = System.Text.RegularExpressions.Regex.Matches(text, @" \d+:(\d+)");
            Assert.InRange(samples.Count, 3, 5);
            Assert.All(samples, sample => Assert.True(int.Parse(sample.Groups[1].Value, CultureInfo.InvariantCulture) > 0));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TemplateImportScript_Smoke_ImportsBothFilesWholeAndReportsTheRatio()
    {
        var directory = Directory.CreateTempSubdirectory("resolver-template-import-smoke-");
        try
        {
            var report = Path.Combine(directory.FullName, "template-import.md");
            var (exitCode, output) = await RunAsync("bash", [Path.Combine(Repository.Root(), "benchmarks", "template-import.sh"), "--lines", "1200", "--rounds", "1", "--out", report], TimeSpan.FromMinutes(3));
            Assert.True(exitCode == 0, $"template-import.sh exited with {exitCode}:\n{Tail(output)}");

            // The script itself fails unless each import created every record and none failed: the template one included,
            // so the generated records conform to the template they declare.
            var text = File.ReadAllText(report);
            Assert.Matches(@"\| 1 \| plain \| \d+\.\d\d \| \d+ \|", text);
            Assert.Matches(@"\| 1 \| template \| \d+\.\d\d \| \d+ \|", text);
            Assert.Matches(@"With the template: \d+\.\d\d x the rate without", text);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task BenchmarkDotNetSuites_DryRun_EachRunsAndWritesItsReport()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var suites = Path.Combine(Repository.Root(), "benchmarks", "Resolver.Benchmarks", "bin", framework.Parent!.Name, framework.Name, "Resolver.Benchmarks.dll");
        Assert.True(File.Exists(suites), $"{suites} is missing: build the solution first (./test.sh does)");
        var artifacts = Directory.CreateTempSubdirectory("resolver-bdn-smoke-");
        try
        {
            var (exitCode, output) = await RunAsync("dotnet", [suites, "--filter", "*", "--job", "Dry", "--inProcess", "--artifacts", artifacts.FullName], TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, $"the suites exited with {exitCode}:\n{Tail(output)}");
            var reports = Directory.GetFiles(Path.Combine(artifacts.FullName, "results"), "*-report-github.md").Select(Path.GetFileName).Order().ToArray();
            Assert.Equal(
                ((string[])["AnswerEncodingBenchmarks", "IdentifierParserBenchmarks", "RedisBenchmarks", "ResolutionBenchmarks", "StoreBenchmarks"]).Select(s => $"Resolver.Benchmarks.{s}-report-github.md"),
                reports);
            Assert.All(reports, report => Assert.Contains("Allocated", File.ReadAllText(Path.Combine(artifacts.FullName, "results", report!)), StringComparison.Ordinal));
        }
        finally
        {
            artifacts.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string[] arguments, TimeSpan limit)
    {
        var start = new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        var lines = new Lock();
        process.OutputDataReceived += (_, e) => { lock (lines) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (lines) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM first: compare.sh then stops the servers it started (pg_ctl's postmaster would outlive a kill).
            using (var terminate = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await terminate.WaitForExitAsync(CancellationToken.None);
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(grace.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {limit.TotalMinutes} min:\n{Tail(output.ToString())}");
        }

        lock (lines)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(40));
}
