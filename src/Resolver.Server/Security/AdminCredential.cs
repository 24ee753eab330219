using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Resolver.Server.Configuration;

namespace Resolver.Server.Security;

/// <summary>
/// The administrator's bearer token: the <c>--admin-token</c> setting, or on the embedded store one
/// generated on first start into &lt;data-dir&gt;/admin-token (mode 0600). It is never logged.
/// </summary>
internal sealed partial class AdminCredential(IOptions<SecurityOptions> options, IOptions<StoreOptions> store, ILogger<AdminCredential> logger) : IHostedService
{
    private string? _token;

    /// <summary>The token; available once the host has started.</summary>
    public string Token => _token ?? throw new InvalidOperationException("the admin credential is read at start-up");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!string.IsNullOrEmpty(settings.AdminToken))
        {
            _token = settings.AdminToken.Trim();
            return _token.Length >= 16
                ? Task.CompletedTask
                : throw new SettingsException("--admin-token must be at least 16 characters; a long random string is best");
        }

        if (!store.Value.IsEmbedded)
        {
            throw new SettingsException("--admin-token (RESOLVER_ADMIN_TOKEN) is required with a shared store: every replica must accept the same administrator");
        }

        var path = Path.Combine(Path.GetFullPath(store.Value.DataDir), "admin-token");
        if (File.Exists(path))
        {
            _token = File.ReadAllText(path).Trim();
            return _token.Length >= 16
                ? Task.CompletedTask
                : throw new SettingsException($"{path} holds no usable admin token: delete it to have a new one generated, or pass --admin-token");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _token = "adm_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, fileOptions))
        using (var writer = new StreamWriter(file))
        {
            writer.WriteLine(_token);
        }

        LogGenerated(logger, path);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "No --admin-token was given: generated one into {Path} (readable by this user only)")]
    private static partial void LogGenerated(ILogger logger, string path);
}
