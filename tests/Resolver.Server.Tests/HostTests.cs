using System.Net;
using System.Net.Sockets;

using Resolver.Testing;

namespace Resolver.Server.Tests;

public sealed class HostTests
{
    [Theory]
    [InlineData(new[] { "--grpc-ulr", "http://127.0.0.1:1" }, "unknown setting '--grpc-ulr'")]
    [InlineData(new[] { "--grpc-url", "ftp://example" }, "--grpc-url 'ftp://example' is not an http://HOST:PORT address")]
    [InlineData(new[] { "--max-batch-size", "0" }, "--max-batch-size 0 is out of range")]
    [InlineData(new[] { "--max-batch-size", "many" }, "--max-batch-size 'many' is not a whole number")]
    [InlineData(new[] { "--data-dir" }, "setting --data-dir needs a value")]
    [InlineData(new[] { "--grpc-url", "http://127.0.0.1:7000", "--http-url", "http://127.0.0.1:7000" }, "need separate ports")]
    [InlineData(new[] { "--store", "mysql:x" }, "--store must be sqlite:PATH or postgres:")]
    [InlineData(new[] { "--cors-origins", "https://portal.example/app" }, "--cors-origins 'https://portal.example/app' is not an origin")]
    [InlineData(new[] { "--cors-origins", "*,https://portal.example" }, "--cors-origins '*,https://portal.example': * and none stand alone")]
    [InlineData(new[] { "--admin-token", "short", "--grpc-url", "http://127.0.0.1:0", "--http-url", "http://127.0.0.1:0" }, "--admin-token must be at least 16 characters")]
    public async Task Run_InvalidSetting_StopsWithOneLineNamingIt(string[] args, string expected)
    {
        using var error = new StringWriter();

        // Bounded: a setting the server wrongly accepted would start it, and it would run until stopped.
        var exitCode = await ResolverHost.RunAsync(args, error).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("resolver: cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PortInUse_StopsWithOneLineNamingTheAddress()
    {
        using var occupied = new TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)occupied.LocalEndpoint).Port}";
        var dataDir = Directory.CreateTempSubdirectory("resolver-host-").FullName;
        using var error = new StringWriter();

        int exitCode;
        try
        {
            exitCode = await ResolverHost.RunAsync(["--grpc-url", address, "--http-url", $"http://127.0.0.1:{FreePort.Next()}", "--handle-url", "hdl://127.0.0.1:0", "--data-dir", dataDir], error);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(address, line, StringComparison.Ordinal);
        Assert.Contains("address already in use", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Run_SuffixCaseModeContradictingTheData_StopsWithOneLineNamingTheSetting(bool registeredSensitive)
    {
        string[] mode = registeredSensitive ? ["--case-sensitive-suffix"] : [];
        await using var first = await TestServer.StartAsync(mode);
        await first.RegisterAsync("88.168.1/LRT", "https://upper");
        if (registeredSensitive)
        {
            await first.RegisterAsync("88.168.1/lrt", "https://lower");
        }

        await first.StopAsync();
        using var error = new StringWriter();

        var exitCode = await ResolverHost.RunAsync(
            ["--data-dir", first.DataDir, "--grpc-url", $"http://127.0.0.1:{FreePort.Next()}", "--http-url", $"http://127.0.0.1:{FreePort.Next()}", "--handle-url", "hdl://127.0.0.1:0", "--case-sensitive-suffix", (!registeredSensitive).ToString()],
            error).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("resolver: cannot start: --case-sensitive-suffix is", line, StringComparison.Ordinal);
        Assert.Contains($"start with --case-sensitive-suffix {registeredSensitive.ToString().ToLowerInvariant()}", line, StringComparison.Ordinal);
    }
}
