using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Resolver.Testing;

/// <summary>
/// A redis-server process on a free loopback port, started from a config file in a temporary directory
/// (no persistence). Stoppable and restartable on the same port to inject outages.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string HowToInstall = "redis-server was not found on PATH: run ./test.sh, which installs it, or apt-get install -y redis-server";

    // Servers still running when the test process ends (a test whose set-up failed never disposes its
    // fixture) are killed then, so that no run leaves a redis-server behind.
    private static readonly List<RedisServer> Running = [];

    private readonly string _directory;
    private readonly string _config;
    private Process? _process;
    private bool _paused;

    static RedisServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        lock (Running)
        {
            foreach (var server in Running)
            {
                server.KillNow();
            }
        }
    };

    private RedisServer(string directory, int port, string extraConfig)
    {
        _directory = directory;
        Port = port;
        _config = Path.Combine(directory, "redis.conf");
        File.WriteAllText(_config, $"""
            port {port}
            bind 127.0.0.1
            protected-mode no
            save ""
            appendonly no
            dir {directory}
            logfile {Path.Combine(directory, "redis.log")}
            {extraConfig}
            """);
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(string extraConfig = "", CancellationToken cancellationToken = default)
    {
        var server = new RedisServer(Directory.CreateTempSubdirectory("resolver-redis-").FullName, FreePort.Next(), extraConfig);
        await server.StartAgainAsync(cancellationToken);
        return server;
    }

    /// <summary>Starts the (stopped) server on its port and waits until it answers PING.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(Find() ?? throw new InvalidOperationException(HowToInstall), _config) { UseShellExecute = false };
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        lock (Running)
        {
            Running.Add(this);
        }

        var process = _process;
        await Eventually.TrueAsync(
            async () => process.HasExited ? throw new InvalidOperationException($"redis-server exited on port {Port}: {ReadLog()}") : await PingAsync(cancellationToken),
            TimeSpan.FromSeconds(20),
            $"redis-server did not answer PING on port {Port}");
    }

    /// <summary>Joins cluster-enabled servers into one cluster of masters (no replicas) and waits until it serves.</summary>
    public static async Task CreateClusterAsync(IReadOnlyList<RedisServer> nodes, CancellationToken cancellationToken = default)
    {
        var cli = Path.Combine(Path.GetDirectoryName(Find()!)!, "redis-cli");
        await ExternalProcess.RunAsync(cli, ["--cluster", "create", .. nodes.Select(n => n.Configuration), "--cluster-replicas", "0", "--cluster-yes"], cancellationToken);
        await Eventually.TrueAsync(
            async () => (await Task.WhenAll(nodes.Select(n => n.CommandAsync("CLUSTER INFO", cancellationToken)))).All(info => info.Contains("cluster_state:ok", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30),
            "the cluster never reached cluster_state:ok on every node");
    }

    /// <summary>Freezes the server (SIGSTOP): its sockets stay open but nothing answers, as with a hung host.</summary>
    public async Task PauseAsync(CancellationToken cancellationToken = default)
    {
        await SignalAsync("STOP", cancellationToken);
        _paused = true;
    }

    /// <summary>Lets a paused server run again (SIGCONT).</summary>
    public async Task ResumeAsync(CancellationToken cancellationToken = default)
    {
        if (_paused)
        {
            await SignalAsync("CONT", cancellationToken);
            _paused = false;
        }
    }

    /// <summary>Kills the server at once, as a crash would (a paused one is resumed first, so that it goes cleanly).</summary>
    public async Task StopAsync()
    {
        await ResumeAsync();
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
        lock (Running)
        {
            Running.Remove(this);
        }
    }

    private Task SignalAsync(string signal, CancellationToken cancellationToken) =>
        _process is { HasExited: false } process
            ? ExternalProcess.RunAsync("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken)
            : throw new InvalidOperationException($"redis-server on port {Port} is not running");

    private void KillNow()
    {
        try
        {
            if (_paused && _process is { HasExited: false } paused)
            {
                Process.Start("kill", ["-CONT", paused.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
            }

            _process?.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Sends one command in the inline protocol and returns the first reply line (for tests' own checks).</summary>
    public async Task<string> CommandAsync(string command, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken);
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, cancellationToken);
        return Encoding.ASCII.GetString(buffer, 0, read).TrimEnd();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A server whose default user is off (an ACL file) answers NOAUTH: it is up all the same.
            return await CommandAsync("PING", cancellationToken) is "+PONG" or ['-', 'N', 'O', 'A', 'U', 'T', 'H', ..];
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private string ReadLog()
    {
        var log = Path.Combine(_directory, "redis.log");
        return File.Exists(log) ? File.ReadAllText(log) : "(no log)";
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);
}
