using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Server.Configuration;

namespace Resolver.Server;

/// <summary>Builds and runs the node: settings → services → endpoints. Start-up failures end in one line on standard error.</summary>
public static class ResolverHost
{
    /// <summary>Runs the server until SIGTERM/Ctrl+C, draining in-flight calls; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? error = null)
    {
        error ??= Console.Error;
        if (ServerSettings.AsksForVersion(args))
        {
            Console.WriteLine(typeof(ResolverHost).Assembly.GetName().Version);
            return 0;
        }

        if (ServerSettings.AsksForHelp(args))
        {
            ServerSettings.WriteHelp(Console.Out);
            return 0;
        }

        try
        {
            await using var app = Build(args);
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (Exception exception) when (StartupFailure(exception) is { } reason)
        {
            await error.WriteLineAsync($"resolver: cannot start: {reason}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>The configured application, not yet started; tests start it on free ports.</summary>
    /// <param name="args">Server flags, as on the command line.</param>
    /// <param name="overrideServices">Runs after the node's own registrations, so a test can swap a clock or inject a fault (the last registration wins).</param>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? overrideServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // appsettings.json ships beside the binary, wherever the server is started from.
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(ServerSettings.FromEnvironment(Environment.GetEnvironmentVariables()));
        builder.Configuration.AddInMemoryCollection(ServerSettings.FromArguments(args));
        builder.Configuration.AddInMemoryCollection(KestrelEndpoints(builder.Configuration));

        builder.Services.AddResolverServer();
        overrideServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapResolverEndpoints();
        return app;
    }

    // Kestrel cannot offer HTTP/1.1 and HTTP/2 on one cleartext port, so each gets its own endpoint;
    // with TLS, ALPN lets one port serve both.
    private static Dictionary<string, string?> KestrelEndpoints(ConfigurationManager configuration)
    {
        var options = configuration.GetSection(ServerSettings.Section).Get<EndpointOptions>() ?? new EndpointOptions();
        var endpoints = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Kestrel:Endpoints:Grpc:Url"] = options.GrpcUrl,
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Kestrel:Endpoints:Http:Url"] = options.HttpUrl,
            ["Kestrel:Endpoints:Http:Protocols"] = "Http1",
        };
        if (!string.IsNullOrEmpty(options.HttpsUrl))
        {
            endpoints["Kestrel:Endpoints:Https:Url"] = options.HttpsUrl;
            endpoints["Kestrel:Endpoints:Https:Protocols"] = "Http1AndHttp2";
            endpoints["Kestrel:Endpoints:Https:Certificate:Path"] = options.TlsCert;
            endpoints["Kestrel:Endpoints:Https:Certificate:KeyPath"] = options.TlsKey;
            endpoints["Kestrel:Endpoints:Https:ClientCertificateMode"] = options.TlsClientCertificates switch
            {
                "require" => "RequireCertificate",
                "allow" => "AllowCertificate",
                _ => "NoCertificate",
            };
        }

        return endpoints;
    }

    // The reasons an operator can act on; anything else is a bug and keeps its stack trace.
    private static string? StartupFailure(Exception exception) => exception switch
    {
        SettingsException settings => settings.Message,
        OptionsValidationException validation => string.Join("; ", validation.Failures),
        AggregateException { InnerExceptions: var all } when all.All(e => e is OptionsValidationException) =>
            string.Join("; ", all.Cast<OptionsValidationException>().SelectMany(e => e.Failures)),
        InvalidOperationException { InnerException: FormatException or InvalidOperationException } binding => binding.Message,
        IOException { InnerException: SocketException socket } => $"{exception.Message} ({socket.SocketErrorCode})",
        IOException io => io.Message,
        ResolverException { InnerException: { } cause } store => $"{store.Message}: {cause.Message}",
        UnauthorizedAccessException access => access.Message,
        _ => null,
    };
}
