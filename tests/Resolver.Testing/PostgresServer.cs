using Npgsql;

namespace Resolver.Testing;

/// <summary>
/// A private PostgreSQL cluster in a temporary directory on a free loopback port, run with the machine's
/// PostgreSQL binaries (./test.sh installs them). Stoppable and restartable to inject outages.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string HowToInstall = "PostgreSQL server binaries were not found (looked for /usr/lib/postgresql/*/bin/initdb): run ./test.sh, which installs them, or apt-get install -y postgresql";

    // Clusters still running when the test process ends (a test whose set-up failed never disposes its
    // fixture) are stopped then: pg_ctl runs the postmaster detached, so it would outlive the tests.
    private static readonly List<PostgresServer> Running = [];

    private readonly string _bin;
    private readonly string _directory;

    static PostgresServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        lock (Running)
        {
            foreach (var server in Running)
            {
                try
                {
                    server.StopAsync().Wait(TimeSpan.FromSeconds(10));
                }
                catch (AggregateException)
                {
                    // Stopped already (an outage test), or gone: nothing to clean up.
                }
            }
        }
    };

    private PostgresServer(string bin, string directory, int port)
    {
        _bin = bin;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Superuser connection to the "postgres" database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    /// <summary>Creates a cluster and starts it.</summary>
    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var bin = FindBin() ?? throw new InvalidOperationException(HowToInstall);
        var directory = Directory.CreateTempSubdirectory("resolver-pg-").FullName;
        var server = new PostgresServer(bin, directory, FreePort.Next());

        // initdb refuses to run as root: the cluster belongs to the postgres user.
        if (Environment.IsPrivilegedProcess)
        {
            await ExternalProcess.RunAsync("chown", ["postgres:postgres", directory], cancellationToken);
        }

        await server.RunAsync("initdb", ["-D", server.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"], cancellationToken);
        lock (Running)
        {
            Running.Add(server);
        }

        await server.StartAgainAsync(cancellationToken);
        return server;
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>Starts the (stopped) cluster on its port and waits until it accepts connections.</summary>
    /// <remarks>fsync is off (the machine does not crash, only the server process does), but commits stay
    /// synchronous: an outage test must find every acknowledged write after a restart.</remarks>
    public Task StartAgainAsync(CancellationToken cancellationToken = default) =>
        RunAsync("pg_ctl", ["-D", DataDirectory, "-l", Path.Combine(_directory, "log"), "-w", "-t", "60", "start",
            "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200"], cancellationToken);

    /// <summary>Stops the cluster at once (in-flight sessions are cut), frozen or not.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        // A cluster a failed test left frozen would never act on pg_ctl's signal and outlive the run: thaw it first.
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await ThawAsync(cancellationToken);
        }

        await RunAsync("pg_ctl", ["-D", DataDirectory, "-w", "-m", "immediate", "stop"], cancellationToken);
    }

    /// <summary>Freezes the server and all its backends (SIGSTOP): connections hang instead of failing, as with a stalled database.</summary>
    public Task FreezeAsync(CancellationToken cancellationToken = default) => SignalAsync("STOP", cancellationToken);

    /// <summary>Lets a frozen server run again (SIGCONT).</summary>
    public Task ThawAsync(CancellationToken cancellationToken = default) => SignalAsync("CONT", cancellationToken);

    private async Task SignalAsync(string signal, CancellationToken cancellationToken)
    {
        var postmaster = (await File.ReadAllLinesAsync(Path.Combine(DataDirectory, "postmaster.pid"), cancellationToken))[0].Trim();
        await ExternalProcess.RunAsync("kill", [$"-{signal}", postmaster], cancellationToken);
        try
        {
            await ExternalProcess.RunAsync("pkill", [$"-{signal}", "-P", postmaster], cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // pkill exits 1 when there is no backend to signal.
        }
    }

    /// <summary>A connection string to a new, empty schema of its own (one per test).</summary>
    public async Task<string> CreateSchemaAsync(CancellationToken cancellationToken = default)
    {
        var schema = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Search Path={schema}";
    }

    public async ValueTask DisposeAsync()
    {
        lock (Running)
        {
            Running.Remove(this);
        }

        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped by the test.
        }

        Directory.Delete(_directory, recursive: true);
    }

    private Task RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_bin, program);
        return Environment.IsPrivilegedProcess
            ? ExternalProcess.RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments], cancellationToken)
            : ExternalProcess.RunAsync(path, arguments, cancellationToken);
    }

    private static string? FindBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => bin, StringComparer.Ordinal)
                .FirstOrDefault()
            : null;
}
