using System.Collections;
using System.Globalization;

namespace Resolver.Server.Configuration;

/// <summary>
/// The one table of server settings: each has a command-line flag, a RESOLVER_* environment variable
/// and a key in appsettings.json's "Resolver" section. Precedence: flag, then variable, then file.
/// </summary>
internal static class ServerSettings
{
    public static readonly IReadOnlyList<Setting> All =
    [
        new("--grpc-url", nameof(ResolverServerOptions.GrpcUrl), "gRPC endpoint, HTTP/2 cleartext (default http://127.0.0.1:5280)"),
        new("--http-url", nameof(ResolverServerOptions.HttpUrl), "HTTP/1.1 endpoint: /healthz/live, /healthz/ready (default http://127.0.0.1:5281)"),
        new("--https-url", nameof(ResolverServerOptions.HttpsUrl), "TLS endpoint serving gRPC and HTTP on one port, e.g. https://0.0.0.0:5443 (default: none)"),
        new("--tls-cert", nameof(ResolverServerOptions.TlsCert), "PEM certificate file for --https-url (e.g. from a Kubernetes Secret)"),
        new("--tls-key", nameof(ResolverServerOptions.TlsKey), "PEM private key file for --tls-cert"),
        new("--tls-client-certificates", nameof(ResolverServerOptions.TlsClientCertificates), "none (default), allow or require (mTLS) on --https-url"),
        new("--data-dir", nameof(ResolverServerOptions.DataDir), "directory of the embedded SQLite database (default ./data)"),
        new("--store", nameof(ResolverServerOptions.Store), "sqlite:PATH (default: resolver.db under --data-dir) or postgres:NPGSQL-CONNECTION-STRING"),
        new("--admin-token", nameof(ResolverServerOptions.AdminToken), "the administrator's bearer token (default: generated into <data-dir>/admin-token on the embedded store; required with postgres)"),
        new("--jwt-signing-key", nameof(ResolverServerOptions.JwtSigningKey), "HMAC-SHA256 key for JWT bearer tokens ('sub' = enterprise, or 'role' = admin); default: JWTs off"),
        new("--jwt-issuer", nameof(ResolverServerOptions.JwtIssuer), "required 'iss' of JWTs (default: any)"),
        new("--jwt-audience", nameof(ResolverServerOptions.JwtAudience), "required 'aud' of JWTs (default: any)"),
        new("--redis", nameof(ResolverServerOptions.Redis), "Redis (or Redis Cluster) configuration string for the shared cache, e.g. 127.0.0.1:6379 (default: none, L1 + store)"),
        new("--cache-ttl-cap", nameof(ResolverServerOptions.CacheTtlCap), "seconds an entry is fresh at most (default 300)", SettingKind.Number),
        new("--cache-stale-window", nameof(ResolverServerOptions.CacheStaleWindow), "seconds a stale entry may be served while the store is down (default 3600)", SettingKind.Number),
        new("--cache-negative-ttl", nameof(ResolverServerOptions.CacheNegativeTtl), "seconds 'not found' is cached (default 5)", SettingKind.Number),
        new("--l1-max-entries", nameof(ResolverServerOptions.L1MaxEntries), "most entries in the in-process cache (default 100000)", SettingKind.Number),
        new("--l1-unsynced-ttl-ms", nameof(ResolverServerOptions.L1UnsyncedTtlMs), "ms an in-process entry lives while no invalidation channel is up (default 1000)", SettingKind.Number),
        new("--change-poll-ms", nameof(ResolverServerOptions.ChangePollMs), "ms between reads of the store's change log when no Redis announcement comes (default 500; at most 900 for the 2 s bound)", SettingKind.Number),
        new("--case-sensitive-suffix", nameof(ResolverServerOptions.CaseSensitiveSuffix), "compare suffixes case-sensitively (default: ignore ASCII case)", SettingKind.Switch),
        new("--max-identifier-length", nameof(ResolverServerOptions.MaxIdentifierLength), "longest identifier in code points after NFC (default 255)", SettingKind.Number),
        new("--max-batch-size", nameof(ResolverServerOptions.MaxBatchSize), "most identifiers in one BatchResolve (default 2000)", SettingKind.Number),
        new("--max-values-per-record", nameof(ResolverServerOptions.MaxValuesPerRecord), "most values in one record (default 1000)", SettingKind.Number),
        new("--max-value-bytes", nameof(ResolverServerOptions.MaxValueBytes), "largest value payload in bytes (default 65536)", SettingKind.Number),
        new("--max-request-seconds", nameof(ResolverServerOptions.MaxRequestSeconds), "longest a unary call may run, whatever the caller's deadline (default 30)", SettingKind.Number),
        new("--rate-limit", nameof(ResolverServerOptions.RateLimit), "requests per second per caller to resolver.v1 services, or 'off' (default 1000)"),
        new("--max-message-bytes", nameof(ResolverServerOptions.MaxMessageBytes), "largest gRPC request in bytes (default 4194304)", SettingKind.Number),
    ];

    /// <summary>Configuration entries for the RESOLVER_* variables that are set.</summary>
    public static Dictionary<string, string?> FromEnvironment(IDictionary environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var setting in All)
        {
            if (environment[setting.EnvironmentVariable] is string value)
            {
                values[setting.ConfigurationKey] = setting.Check(value, setting.EnvironmentVariable);
            }
        }

        return values;
    }

    /// <summary>Configuration entries for the flags in <paramref name="args"/>; throws <see cref="SettingsException"/> on an unknown flag or a missing value.</summary>
    public static Dictionary<string, string?> FromArguments(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var (flag, inline) = args[i].Split('=', 2) is [var f, var v] ? (f, v) : (args[i], null);
            var setting = All.FirstOrDefault(s => s.Flag == flag)
                ?? throw new SettingsException($"unknown setting '{args[i]}'; run with --help to list the settings");
            if (inline is not null)
            {
                values[setting.ConfigurationKey] = setting.Check(inline, flag);
            }
            else if (setting.Kind == SettingKind.Switch)
            {
                // A bare switch means true; "--case-sensitive-suffix false" is accepted too.
                var hasValue = i + 1 < args.Count && bool.TryParse(args[i + 1], out _);
                values[setting.ConfigurationKey] = hasValue ? args[++i] : "true";
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                values[setting.ConfigurationKey] = setting.Check(args[++i], flag);
            }
            else
            {
                throw new SettingsException($"setting {flag} needs a value, e.g. {flag} VALUE");
            }
        }

        return values;
    }

    /// <summary>The help text listing every setting.</summary>
    public static string Help()
    {
        var lines = new List<string>
        {
            "Usage: Resolver.Server [--setting value]...",
            "Every setting is also an environment variable and a key of appsettings.json's \"Resolver\" section.",
            "",
        };
        foreach (var setting in All)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"  {setting.Flag,-26} {setting.EnvironmentVariable,-34} {setting.Description}"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>One setting.</summary>
    /// <param name="Flag">The command-line flag, e.g. <c>--grpc-url</c>.</param>
    /// <param name="Property">The <see cref="ResolverServerOptions"/> property it sets.</param>
    /// <param name="Description">One line for --help.</param>
    /// <param name="Kind">What values it takes.</param>
    public sealed record Setting(string Flag, string Property, string Description, SettingKind Kind = SettingKind.Text)
    {
        /// <summary>Returns <paramref name="value"/> when it fits the setting's kind; otherwise throws naming <paramref name="source"/>.</summary>
        public string Check(string value, string source) => Kind switch
        {
            SettingKind.Number when !int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) =>
                throw new SettingsException($"{source} '{value}' is not a whole number"),
            SettingKind.Switch when !bool.TryParse(value, out _) =>
                throw new SettingsException($"{source} '{value}' is not true or false"),
            _ => value,
        };

        /// <summary>E.g. <c>RESOLVER_GRPC_URL</c>.</summary>
        public string EnvironmentVariable => "RESOLVER_" + Flag.TrimStart('-').Replace('-', '_').ToUpperInvariant();

        /// <summary>E.g. <c>Resolver:GrpcUrl</c>.</summary>
        public string ConfigurationKey => $"{ResolverServerOptions.Section}:{Property}";
    }
}

/// <summary>What values a setting takes.</summary>
internal enum SettingKind
{
    Text,
    Number,
    Switch,
}

/// <summary>A command line the server cannot start with.</summary>
internal sealed class SettingsException(string message) : Exception(message);
