using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Resolver.Testing;
using Resolver.Protocol.V1;
using Record = Resolver.Protocol.V1.Record;

namespace Resolver.Server.Tests;

/// <summary>A real server on free loopback ports with its own data directory; restartable on the same data.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly string[] _extraArgs;
    private readonly Action<IServiceCollection>? _overrideServices;
    private WebApplication? _app;
    private GrpcChannel? _channel;

    private TestServer(string dataDir, string[] extraArgs, Action<IServiceCollection>? overrideServices)
    {
        DataDir = dataDir;
        _extraArgs = extraArgs;
        _overrideServices = overrideServices;
    }

    /// <summary>The administrator's token every test server gets.</summary>
    public const string AdminToken = "test-admin-token";

    public string DataDir { get; }

    public string GrpcAddress { get; private set; } = "";

    public string HttpAddress { get; private set; } = "";

    /// <summary>The Handle protocol listener's TCP and UDP endpoint (a free port from FreePort), e.g. <c>hdl://127.0.0.1:40123</c>.</summary>
    public string HandleAddress => $"hdl://127.0.0.1:{HandlePort}";

    /// <summary>The Handle protocol listener's port, TCP and UDP.</summary>
    public int HandlePort => Services.GetRequiredService<HandleWire.HandleListener>().Port;

    public GrpcChannel Channel => _channel ?? throw new InvalidOperationException("the server is not running");

    /// <summary>The running server's services (its cache metrics, for example).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("the server is not running");

    /// <summary>Resolution as an anonymous caller.</summary>
    public Protocol.V1.Resolution.ResolutionClient Resolution => new(Channel);

    /// <summary>The registry as the administrator.</summary>
    public Protocol.V1.Registry.RegistryClient Registry => new(As(AdminToken));

    /// <summary>Administration as the administrator.</summary>
    public Protocol.V1.Admin.AdminClient Admin => new(As(AdminToken));

    /// <summary>Calls with <paramref name="token"/> as bearer credentials (null: anonymous).</summary>
    public CallInvoker As(string? token) =>
        token is null ? Channel.CreateCallInvoker() : Channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return metadata;
        });

    /// <summary>A server on a PostgreSQL schema of its own.</summary>
    public static async Task<TestServer> StartOnPostgresAsync(PostgresServer postgres, params string[] extraArgs) =>
        await StartAsync(["--store", "postgres:" + await postgres.CreateSchemaAsync(TestContext.Current.CancellationToken), .. extraArgs]);

    public static Task<TestServer> StartAsync(params string[] extraArgs) => StartAsync(null, extraArgs);

    /// <summary>A server whose services <paramref name="overrideServices"/> may replace (a fake clock, a failing dependency, an extra stage).</summary>
    public static async Task<TestServer> StartAsync(Action<IServiceCollection>? overrideServices, params string[] extraArgs)
    {
        var server = new TestServer(Directory.CreateTempSubdirectory("resolver-server-").FullName, extraArgs, overrideServices);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts (again) on new ports over the same data directory.</summary>
    public async Task StartAgainAsync()
    {
        GrpcAddress = $"http://127.0.0.1:{FreePort.Next()}";
        HttpAddress = $"http://127.0.0.1:{FreePort.Next()}";
        _app = ResolverHost.Build(["--grpc-url", GrpcAddress, "--http-url", HttpAddress, "--data-dir", DataDir, "--admin-token", AdminToken, "--rate-limit", "off", "--handle-url", $"hdl://127.0.0.1:{FreePort.Next()}", .. _extraArgs], services =>
        {
            QuietConsole(services);
            _overrideServices?.Invoke(services);
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _channel = GrpcChannel.ForAddress(GrpcAddress, new GrpcChannelOptions { MaxReceiveMessageSize = 64 * 1024 * 1024 });
    }

    // A few hundred servers start in one run; their startup lines on the console would bury the one
    // line that names a failing test in CI's output. Warnings and errors still reach the console.
    private static void QuietConsole(IServiceCollection services) =>
        services.Configure<LoggerFilterOptions>(options => options.Rules.Add(
            new LoggerFilterRule(typeof(ConsoleLoggerProvider).FullName, categoryName: null, LogLevel.Warning, filter: null)));

    public async Task StopAsync()
    {
        _channel?.Dispose();
        _channel = null;
        if (_app is not null)
        {
            await _app.StopAsync(TestContext.Current.CancellationToken);
            await _app.DisposeAsync();
            _app = null;
        }

        SqliteConnection.ClearAllPools();
    }

    /// <summary>Homes a prefix and registers an identifier with one URL value.</summary>
    public async Task<Record> RegisterAsync(string identifier, string url)
    {
        await Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = identifier[..identifier.IndexOf('/', StringComparison.Ordinal)] }, cancellationToken: TestContext.Current.CancellationToken);
        var request = new CreateRecordRequest { Identifier = identifier };
        request.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = url } });
        return await Registry.CreateRecordAsync(request, cancellationToken: TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(DataDir, recursive: true);
    }
}
