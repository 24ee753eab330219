using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// A 1,000,000-line import through the real CLI binary into a real server process: both processes' peak memory stays
/// bounded (neither holds the file). The peaks are printed (test output) for docs/cli.md.
/// </summary>
public sealed class BulkImportScaleTests
{
    private const int Lines = 1_000_000;

    // Far below what holding the file would take (a million records as messages is well over a gigabyte).
    private const long CliBudget = 300L * 1024 * 1024;
    private const long ServerBudget = 500L * 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Import_MillionLineCsv_ImportsEveryRecordWithBoundedMemoryInBothProcesses()
    {
        await using var server = await ServerProcess.StartAsync("--rate-limit", "off");
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        var path = Path.Combine(Path.GetTempPath(), $"resolver-million-{Guid.NewGuid():N}.csv");
        try
        {
            await using (var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16))
            {
                await writer.WriteLineAsync("identifier,index,type,data,ttl,permissions");
                for (var i = 0; i < Lines; i++)
                {
                    await writer.WriteLineAsync($"88.168.1/M{i:D7},1,URL,https://parts.example.com/m/{i:D7},86400,1110");
                }
            }

            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in (string[])[CliBinary(), "--server", server.GrpcAddress, "--token", TestServer.AdminToken, "--output", "json", "import", path])
            {
                start.ArgumentList.Add(argument);
            }

            var clock = Stopwatch.StartNew();
            using var cli = Process.Start(start)!;
            var output = cli.StandardOutput.ReadToEndAsync(Ct);
            var error = cli.StandardError.ReadToEndAsync(Ct);

            // VmHWM is each process's peak resident set so far; the last reading before the CLI exits is its peak.
            long cliPeak = 0, serverPeak = 0;
            while (!cli.HasExited)
            {
                cliPeak = Math.Max(cliPeak, PeakBytes(cli.Id));
                serverPeak = Math.Max(serverPeak, PeakBytes(server.ProcessId));
                await Task.WhenAny(cli.WaitForExitAsync(Ct), Task.Delay(100, Ct));
            }

            serverPeak = Math.Max(serverPeak, PeakBytes(server.ProcessId));
            var elapsed = clock.Elapsed;
            // Also left in a file, since test runners keep a passing test's output to themselves.
            var measured = $"1,000,000-line import: {elapsed.TotalSeconds:0} s; peak RSS CLI {cliPeak / 1048576} MiB, server {serverPeak / 1048576} MiB";
            TestContext.Current.TestOutputHelper?.WriteLine(measured);
            await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "resolver-bulk-import-peaks.txt"), measured + "\n", Ct);

            Assert.True(cli.ExitCode == 0, await error);
            using var summary = JsonDocument.Parse((await output).Trim());
            Assert.Equal(Lines, summary.RootElement.GetProperty("created").GetInt32());
            Assert.Equal(0, summary.RootElement.GetProperty("failed").GetInt32());
            Assert.InRange(cliPeak, 1, CliBudget);
            Assert.InRange(serverPeak, 1, ServerBudget);
            var last = await server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = $"88.168.1/M{Lines - 1:D7}" }, cancellationToken: Ct);
            Assert.Equal($"https://parts.example.com/m/{Lines - 1:D7}", last.Values[0].Data.Text);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static long PeakBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return 0; // the process just exited
        }
    }

    private static string CliBinary()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(Repository.Root(), "src", "Resolver.Cli", "bin", framework.Parent!.Name, framework.Name, "resolver.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build the solution first (./test.sh does)");
    }
}
