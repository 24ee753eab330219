using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Core.Resolution;
using Resolver.Dataset;
using Resolver.Server;

namespace Resolver.Benchmarks;

/// <summary>
/// A Resolver node assembled exactly as the server assembles itself (<see cref="ResolverHost"/>), on a SQLite file holding
/// a small <see cref="Dataset"/>, started on loopback ports. The suites call its resolution path in process, without the
/// network, so what they measure is Resolver's own code; the end-to-end figures are compare.sh's.
/// </summary>
internal sealed class BenchmarkNode : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DirectoryInfo _directory;

    private BenchmarkNode(WebApplication app, DirectoryInfo directory) => (_app, _directory) = (app, directory);

    /// <summary>The node's resolution path: grammar, authority, cache tiers, store, access filter.</summary>
    public ResolutionService Resolution => _app.Services.GetRequiredService<ResolutionService>();

    /// <summary>The SQLite file the node serves.</summary>
    public string DatabasePath => Path.Combine(_directory.FullName, "resolver.db");

    /// <summary>Loads <paramref name="dataset"/> into a new SQLite file and starts a node on it with the extra <paramref name="settings"/>.</summary>
    public static async Task<BenchmarkNode> StartAsync(Dataset.Dataset dataset, params string[] settings)
    {
        var directory = Directory.CreateTempSubdirectory("resolver-bench-");
        var database = Path.Combine(directory.FullName, "resolver.db");
        await StoreLoader.LoadSqliteAsync(dataset, database, _ => { }, CancellationToken.None);
        var app = ResolverHost.Build(
        [
            "--grpc-url", $"http://127.0.0.1:{FreePort()}", "--http-url", $"http://127.0.0.1:{FreePort()}", "--handle-url", "hdl://127.0.0.1:0",
            "--data-dir", directory.FullName, "--store", $"sqlite:{database}", "--rate-limit", "off", .. settings,
        ]);
        await app.StartAsync();
        return new BenchmarkNode(app, directory);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    /// <summary>A loopback port free now (for the node's endpoints, and the suites' own servers).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
