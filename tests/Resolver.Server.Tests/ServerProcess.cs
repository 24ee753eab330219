using System.Diagnostics;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>The real server binary in a process of its own (as deployed), on free loopback ports.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _dataDir;
    private int _disposed;

    private ServerProcess(Process process, string dataDir, string grpcAddress, string httpAddress)
    {
        _process = process;
        _dataDir = dataDir;
        GrpcAddress = grpcAddress;
        HttpAddress = httpAddress;
        Channel = GrpcChannel.ForAddress(grpcAddress);
    }

    public string GrpcAddress { get; }

    /// <summary>The server's process id (to read its memory from /proc).</summary>
    public int ProcessId => _process.Id;

    public string HttpAddress { get; }

    public GrpcChannel Channel { get; }

    public Protocol.V1.Resolution.ResolutionClient Resolution => new(Channel);

    public Protocol.V1.Registry.RegistryClient Registry => new(AdminInvoker());

    public Protocol.V1.Admin.AdminClient Admin => new(AdminInvoker());

    private CallInvoker AdminInvoker() => Channel.Intercept(metadata =>
    {
        metadata.Add("authorization", $"Bearer {TestServer.AdminToken}");
        return metadata;
    });

    /// <summary>Starts <c>dotnet Resolver.Server.dll</c> and waits until /healthz/ready says Healthy.</summary>
    public static Task<ServerProcess> StartAsync(params string[] args) => StartOnAsync("127.0.0.1", FreePort.Next(), args);

    /// <summary>Starts the server with its gRPC endpoint on <paramref name="address"/>:<paramref name="grpcPort"/> (replicas behind one name share the port).</summary>
    public static async Task<ServerProcess> StartOnAsync(string address, int grpcPort, params string[] args)
    {
        var dataDir = Directory.CreateTempSubdirectory("resolver-process-").FullName;
        var grpc = $"http://{address}:{grpcPort}";
        var http = $"http://{address}:{FreePort.Next()}";
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "Resolver.Server.dll"), "--grpc-url", grpc, "--http-url", http, "--data-dir", dataDir, "--admin-token", TestServer.AdminToken, "--handle-url", $"hdl://{address}:{FreePort.Next()}", .. args])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove(InProcessHeapLimitOff.Variable); // a process of its own derives its heap limit, as deployed
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server process");
        var server = new ServerProcess(process, dataDir, grpc, http);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = new Uri(http), Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await WaitUntilReadyAsync(server, process, probe);
        }
        catch
        {
            await server.DisposeAsync(); // never leave a server that did not come up running after the test
            throw;
        }

        return server;
    }

    private static Task WaitUntilReadyAsync(ServerProcess server, Process process, HttpClient probe) =>
        Eventually.TrueAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {process.ExitCode}: {server.Output}");
            }

            try
            {
                return await probe.GetStringAsync(new Uri("/healthz/ready", UriKind.Relative)) == "Healthy";
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return false; // not listening yet, or too slow to answer on a loaded machine: ask again
            }
        }, TimeSpan.FromSeconds(60), "the server process never became ready");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Sends SIGTERM, as Kubernetes does to stop a pod.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed with {kill.ExitCode}");
        }
    }

    /// <summary>Waits for the process to end by itself; its exit code, or null when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<int?> ExitCodeAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Kills the process (SIGKILL, as a node failure) and removes its data; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Channel.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
