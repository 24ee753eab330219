using System.Diagnostics;
using System.Text.Json;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// The README's fast CLI (issue 25, item 20): <c>./install-cli.sh --prefix DIR</c> publishes <c>resolver</c> into
/// DIR/lib/resolver with DIR/bin/resolver linking to it, and that command, run from anywhere, talks to a node.
/// </summary>
[Collection(nameof(BenchmarkSmokeTests))] // the publish loads both cores: alone, like the benchmark smokes
public sealed class InstallCliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InstallScript_InstalledResolver_RegistersAndResolvesAgainstANode()
    {
        var prefix = Directory.CreateTempSubdirectory("resolver-install-");
        try
        {
            var (exitCode, output) = await RunAsync(Path.Combine(Repository.Root(), "install-cli.sh"), ["--prefix", prefix.FullName], prefix.FullName, TimeSpan.FromMinutes(6));
            Assert.True(exitCode == 0, $"install-cli.sh exited with {exitCode}:\n{output}");
            var command = Path.Combine(prefix.FullName, "bin", "resolver");
            Assert.Contains($"installed {command} (", output, StringComparison.Ordinal);
            Assert.Contains($"export PATH=\"{prefix.FullName}/bin:$PATH\"", output, StringComparison.Ordinal); // the test's PATH lacks it
            Assert.Equal(Path.Combine(prefix.FullName, "lib", "resolver", "resolver"), File.ResolveLinkTarget(command, returnFinalTarget: false)?.FullName);

            await using var server = await TestServer.StartAsync();
            string[] node = ["--server", server.GrpcAddress, "--token", TestServer.AdminToken];
            Assert.Equal(0, (await RunAsync(command, [.. node, "prefix", "home", "88.168.1"], prefix.FullName, TimeSpan.FromMinutes(1))).ExitCode);
            var registered = await RunAsync(command, [.. node, "register", "88.168.1/INSTALLED-1", "--value", "URL=https://example.com/installed"], prefix.FullName, TimeSpan.FromMinutes(1));
            Assert.True(registered.ExitCode == 0, registered.Output);

            var resolved = await RunAsync(command, [.. node, "-o", "json", "resolve", "88.168.1/INSTALLED-1"], prefix.FullName, TimeSpan.FromMinutes(1));
            Assert.True(resolved.ExitCode == 0, resolved.Output);
            using var answer = JsonDocument.Parse(resolved.Output);
            Assert.Equal("https://example.com/installed", answer.RootElement.GetProperty("record").GetProperty("values")[0].GetProperty("data").GetProperty("text").GetString());
        }
        finally
        {
            prefix.Delete(recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string fileName, string[] arguments, string workingDirectory, TimeSpan limit)
    {
        var start = new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {limit.TotalMinutes} min");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
