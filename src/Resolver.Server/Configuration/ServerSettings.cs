using System.Collections;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Resolver.Server.Configuration;

/// <summary>
/// The one table of server settings: each is a command-line flag, a RESOLVER_* environment variable and a key in
/// appsettings.json's "Resolver" section, bound to a property of one component's options class, whose initializer
/// is the default (shown by --help; the README's table is checked against this one). Precedence: flag, then
/// variable, then file.
/// </summary>
internal static class ServerSettings
{
    public static readonly IReadOnlyList<Setting> All =
    [
        new("--grpc-url", typeof(EndpointOptions), nameof(EndpointOptions.GrpcUrl), "gRPC endpoint, HTTP/2 cleartext"),
        new("--http-url", typeof(EndpointOptions), nameof(EndpointOptions.HttpUrl), "HTTP/1.1 endpoint: Handle REST API /api/handles, JSON /v1, /openapi, /metrics (Prometheus), /healthz/live, /healthz/ready (docs/rest.md)"),
        new("--https-url", typeof(EndpointOptions), nameof(EndpointOptions.HttpsUrl), "TLS endpoint serving gRPC and HTTP on one port, e.g. https://0.0.0.0:5443 (docs/security.md)"),
        new("--tls-cert", typeof(EndpointOptions), nameof(EndpointOptions.TlsCert), "PEM certificate file for --https-url (e.g. from a Kubernetes Secret)"),
        new("--tls-key", typeof(EndpointOptions), nameof(EndpointOptions.TlsKey), "PEM private key file for --tls-cert"),
        new("--tls-client-certificates", typeof(EndpointOptions), nameof(EndpointOptions.TlsClientCertificates), "none, allow or require (mTLS) on --https-url"),
        new("--handle-url", typeof(HandleOptions), nameof(HandleOptions.HandleUrl), "the Handle protocol (RFC 3652) on TCP and UDP, hdl://HOST:PORT, for Handle.Net clients and the national SDKs; none turns it off (docs/handle-protocol.md)"),
        new("--handle-site-address", typeof(HandleOptions), nameof(HandleOptions.HandleSiteAddress), "the IP address clients reach this node at, written into its HS_SITE; by default --handle-url's, which must then not be 0.0.0.0 or ::"),
        new("--handle-idle-seconds", typeof(HandleOptions), nameof(HandleOptions.HandleIdleSeconds), "seconds a Handle TCP connection may stay without a request before it is closed", SettingKind.Number),
        new("--handle-udp-answer-bytes", typeof(HandleOptions), nameof(HandleOptions.HandleUdpAnswerBytes), "largest answer sent over UDP in bytes (datagrams with envelopes); a larger one tells the client to ask over TCP, bounding amplification", SettingKind.Number),
        new("--data-dir", typeof(StoreOptions), nameof(StoreOptions.DataDir), "directory of the embedded SQLite database and generated admin token, relative to the working directory (`dotnet run --project` runs in the project folder: src/Resolver.Server/data)"),
        new("--store", typeof(StoreOptions), nameof(StoreOptions.Store), "sqlite:PATH (by default resolver.db under --data-dir) or postgres:NPGSQL-CONNECTION-STRING (docs/storage.md)"),
        new("--store-max-queries", typeof(StoreOptions), nameof(StoreOptions.StoreMaxQueries), "reads of the store running at once; reads arriving meanwhile wait and go together as one query (concurrent misses of different keys become one = ANY())", SettingKind.Number),
        new("--admin-token", typeof(SecurityOptions), nameof(SecurityOptions.AdminToken), "the administrator's bearer token; generated into <data-dir>/admin-token on the embedded store when not given; required with postgres"),
        new("--jwt-signing-key", typeof(SecurityOptions), nameof(SecurityOptions.JwtSigningKey), "HMAC-SHA256 key for JWT bearer tokens ('sub' = enterprise, or 'role' = admin); JWTs are off without it"),
        new("--jwt-issuer", typeof(SecurityOptions), nameof(SecurityOptions.JwtIssuer), "required 'iss' of JWTs; any when not given"),
        new("--jwt-audience", typeof(SecurityOptions), nameof(SecurityOptions.JwtAudience), "required 'aud' of JWTs; any when not given"),
        new("--rate-limit", typeof(SecurityOptions), nameof(SecurityOptions.RateLimit), "requests per second per caller to resolver.v1 services (gRPC, REST and JSON alike), or 'off'"),
        new("--cors-origins", typeof(SecurityOptions), nameof(SecurityOptions.CorsOrigins), "origins whose web pages may read anonymously (CORS on GET/HEAD /api/handles, /v1/identifiers, /v1/info, /openapi/v1.json): comma-separated scheme://host[:port], * for any, or none; never with credentials (docs/rest.md)"),
        new("--redis", typeof(CacheTierOptions), nameof(CacheTierOptions.Redis), "Redis (or Redis Cluster) configuration string for the shared cache, e.g. 127.0.0.1:6379; L1 + store without it (docs/caching.md)"),
        new("--redis-user", typeof(CacheTierOptions), nameof(CacheTierOptions.RedisUser), "the Redis ACL user to authenticate as (Redis 6+); empty: the one in --redis, or Redis's default user"),
        new("--redis-password", typeof(CacheTierOptions), nameof(CacheTierOptions.RedisPassword), "the password of --redis-user, kept out of --redis so no listing of the connection string shows it; give it as RESOLVER_REDIS_PASSWORD from a secret, not on a command line"),
        new("--redis-namespace", typeof(CacheTierOptions), nameof(CacheTierOptions.RedisNamespace), "this deployment's namespace in Redis (keys and channels under resolver:NAMESPACE:; letters, digits, . _ -); by default derived from the store's identity, so deployments sharing a Redis never read each other's entries (docs/caching.md)"),
        new("--cache-ttl-cap", typeof(CacheTierOptions), nameof(CacheTierOptions.CacheTtlCap), "seconds an entry is fresh at most", SettingKind.Number),
        new("--cache-stale-window", typeof(CacheTierOptions), nameof(CacheTierOptions.CacheStaleWindow), "seconds a stale entry may be served while the store is down", SettingKind.Number),
        new("--cache-negative-ttl", typeof(CacheTierOptions), nameof(CacheTierOptions.CacheNegativeTtl), "seconds 'not found' is cached", SettingKind.Number),
        new("--l1-max-entries", typeof(CacheTierOptions), nameof(CacheTierOptions.L1MaxEntries), "most entries in the in-process cache", SettingKind.Number),
        new("--l1-max-mb", typeof(CacheTierOptions), nameof(CacheTierOptions.L1MaxMb), "memory budget of the in-process cache in MiB; no sequence of requests grows it past this", SettingKind.Number),
        new("--l1-unsynced-ttl-ms", typeof(CacheTierOptions), nameof(CacheTierOptions.L1UnsyncedTtlMs), "ms an in-process entry lives while no invalidation channel is up", SettingKind.Number),
        new("--stale-answer-timeout-ms", typeof(CacheTierOptions), nameof(CacheTierOptions.StaleAnswerTimeoutMs), "ms a store read may take before a record cached past its freshness is served stale (RFC 8767)", SettingKind.Number),
        new("--change-poll-ms", typeof(CacheTierOptions), nameof(CacheTierOptions.ChangePollMs), "ms between reads of the store's change log when no Redis announcement comes (at most 900, for the 2 s bound)", SettingKind.Number),
        new("--change-retention-hours", typeof(ChangeLogOptions), nameof(ChangeLogOptions.ChangeRetentionHours), "hours the change log keeps committed changes (Watch resumes from it; older positions get resync-needed); pruned in the background without blocking writes", SettingKind.Number),
        new("--watch-buffer", typeof(ChangeLogOptions), nameof(ChangeLogOptions.WatchBuffer), "changes buffered per Watch subscriber; one further behind is cut off with RESOURCE_EXHAUSTED (watch-too-slow) and resumes from its position", SettingKind.Number),
        new("--case-sensitive-suffix", typeof(LimitOptions), nameof(LimitOptions.CaseSensitiveSuffix), "compare suffixes case-sensitively (otherwise ASCII case is ignored)", SettingKind.Switch),
        new("--max-identifier-length", typeof(LimitOptions), nameof(LimitOptions.MaxIdentifierLength), "longest identifier in code points after NFC (hard cap 2048 UTF-8 bytes)", SettingKind.Number),
        new("--max-batch-size", typeof(LimitOptions), nameof(LimitOptions.MaxBatchSize), "most identifiers in one BatchResolve", SettingKind.Number),
        new("--max-values-per-record", typeof(LimitOptions), nameof(LimitOptions.MaxValuesPerRecord), "most values in one record", SettingKind.Number),
        new("--max-value-bytes", typeof(LimitOptions), nameof(LimitOptions.MaxValueBytes), "largest value payload in bytes", SettingKind.Number),
        new("--max-keys-per-enterprise", typeof(LimitOptions), nameof(LimitOptions.MaxKeysPerEnterprise), "most live (not revoked) API keys one enterprise may hold; one more is refused until a key is revoked", SettingKind.Number),
        new("--max-bulk-streams", typeof(LimitOptions), nameof(LimitOptions.MaxBulkStreams), "most BulkUpsert streams (imports) run at once; more wait for a slot. Each may hold 64 MiB of requests, which the derived --heap-limit-mb counts", SettingKind.Number),
        new("--max-request-seconds", typeof(LimitOptions), nameof(LimitOptions.MaxRequestSeconds), "longest a unary call may run, whatever the caller's deadline", SettingKind.Number),
        new("--max-message-bytes", typeof(LimitOptions), nameof(LimitOptions.MaxMessageBytes), "largest gRPC request in bytes", SettingKind.Number),
        new("--recursive", typeof(FederationOptions), nameof(FederationOptions.Recursive), "resolve identifiers under delegated prefixes at their site and answer as if local (callers opt out with no_recursion; docs/federation.md)", SettingKind.Switch),
        new("--upstream", typeof(FederationOptions), nameof(FederationOptions.Upstream), "the site asked for prefixes this node neither homes nor knows a delegation for: a node's gRPC URL (e.g. the secondary node) or a Handle server, hdl://HOST:PORT (a root that names prefixes' sites in 0.NA/PREFIX HS_SITE)"),
        new("--site-ca-file", typeof(FederationOptions), nameof(FederationOptions.SiteCaFile), "PEM bundle of the CAs trusted for https:// sites (a private PKI); the system's roots without it"),
        new("--site-token", typeof(FederationOptions), nameof(FederationOptions.SiteToken), "bearer token this node presents to sites, its own identity (never a caller's); anonymous without it"),
        new("--site-allow", typeof(FederationOptions), nameof(FederationOptions.SiteAllow), "where referrals from other nodes may send this node: CIDR ranges, host names, *.domain patterns or *, comma-separated; without it, the hosts of the configured delegations and upstream (loopback only when one of those is loopback; docs/federation.md)"),
        new("--site-timeout-ms", typeof(FederationOptions), nameof(FederationOptions.SiteTimeoutMs), "longest wait for one site in ms; a shorter caller deadline wins", SettingKind.Number),
        new("--max-hops", typeof(FederationOptions), nameof(FederationOptions.MaxHops), "most sites one identifier may take to resolve; past it the chain is reported (a loop, usually)", SettingKind.Number),
        new("--drain-seconds", typeof(OperationsOptions), nameof(OperationsOptions.DrainSeconds), "seconds in-flight calls get to finish after SIGTERM (readiness goes NOT_SERVING at once; new connections are refused)", SettingKind.Number),
        new("--heap-limit-mb", typeof(OperationsOptions), nameof(OperationsOptions.HeapLimitMb), "the GC heap's hard limit in MiB; auto derives it from --l1-max-mb and --max-message-bytes (--l1-max-mb + 192 by default) unless DOTNET_GCHeapHardLimit, runtimeconfig.json or a tighter container limit sets one; off leaves the runtime's own (docs/operations.md)"),
        new("--otlp-endpoint", typeof(OperationsOptions), nameof(OperationsOptions.OtlpEndpoint), "OTLP/gRPC collector for traces, e.g. http://127.0.0.1:4317; none exported without it (metrics: /metrics on --http-url)"),
    ];

    /// <summary>The configuration section every component's options bind from (flat keys, e.g. <c>Resolver:GrpcUrl</c>).</summary>
    public const string Section = "Resolver";

    /// <summary>The flag of <paramref name="property"/> of <paramref name="options"/>, for messages; the property name when it has none.</summary>
    public static string FlagOf(Type options, string? property) =>
        All.FirstOrDefault(s => s.Options == options && s.Property == property)?.Flag ?? property ?? options.Name;

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

    /// <summary>True when <paramref name="args"/> ask for help in any of the usual spellings (never as another flag's value).</summary>
    public static bool AsksForHelp(IReadOnlyList<string> args) => Standalone(args, "--help", "-h", "-?", "/?", "/h");

    /// <summary>True when <paramref name="args"/> ask for the version.</summary>
    public static bool AsksForVersion(IReadOnlyList<string> args) => Standalone(args, "--version");

    private static bool Standalone(IReadOnlyList<string> args, params string[] spellings) =>
        args.Where((arg, i) => spellings.Contains(arg) && (i == 0 || !All.Any(s => s.Flag == args[i - 1] && s.Kind != SettingKind.Switch))).Any();

    /// <summary>Configuration entries for the flags in <paramref name="args"/>; throws <see cref="SettingsException"/> on an unknown flag or a missing or malformed value.</summary>
    public static Dictionary<string, string?> FromArguments(IReadOnlyList<string> args)
    {
        var (command, options) = Command();

        // A value may start with '@' (an admin token, say): it is never a response file here.
        var parse = command.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.UnmatchedTokens is [var unknown, ..])
        {
            throw new SettingsException($"unknown setting '{unknown}'; run with --help to list the settings");
        }

        if (parse.Errors is [var error, ..])
        {
            throw error.SymbolResult is OptionResult { Option: var option, Tokens.Count: 0 }
                ? new SettingsException($"setting {option.Name} needs a value, e.g. {option.Name} VALUE")
                : new SettingsException($"{error.Message.TrimEnd('.')}; run with --help to list the settings");
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (setting, option) in options)
        {
            if (parse.GetResult(option) is { Implicit: false } given)
            {
                values[setting.ConfigurationKey] = setting.Kind == SettingKind.Switch
                    ? (given.Tokens.Count == 0 ? "true" : setting.Check(given.Tokens[^1].Value, setting.Flag))
                    : setting.Check(given.Tokens[^1].Value, setting.Flag);
            }
        }

        return values;
    }

    /// <summary>Writes --help: every setting with its variable and default.</summary>
    public static void WriteHelp(TextWriter output)
    {
        var (command, _) = Command();
        command.Parse(["--help"], new ParserConfiguration()).Invoke(new InvocationConfiguration { Output = output });
    }

    /// <summary>The README's settings table, one row per setting (a test keeps the README equal to it).</summary>
    public static string MarkdownTable()
    {
        var lines = new List<string> { "| flag | variable | default | what |", "| --- | --- | --- | --- |" };
        foreach (var setting in All)
        {
            var fallback = setting.Default.Length > 0 ? $"`{setting.Default}`" : "none";
            lines.Add($"| `{setting.Flag}` | `{setting.EnvironmentVariable}` | {fallback} | {setting.Description.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        return string.Join('\n', lines);
    }

    // The server's flags as a System.CommandLine command: parsing, errors and help come from the library.
    private static (RootCommand Command, List<(Setting Setting, Option Option)> Options) Command()
    {
        var command = new RootCommand(
            "Resolver.Server: one node of the industrial internet identifier tree. Every setting is also an environment " +
            "variable and a key of appsettings.json's \"Resolver\" section (flag, then variable, then file).");
        var options = new List<(Setting, Option)>();
        foreach (var setting in All)
        {
            // A flag may repeat (the last one wins, as scripts that append overrides expect); a switch needs no value.
            Option option = new Option<string[]>(setting.Flag)
            {
                Arity = setting.Kind == SettingKind.Switch ? ArgumentArity.ZeroOrMore : ArgumentArity.OneOrMore,
                Description = setting.HelpText,
                HelpName = setting.Kind == SettingKind.Switch ? "true|false" : "value",
            };
            command.Options.Add(option);
            options.Add((setting, option));
        }

        return (command, options);
    }

    /// <summary>One setting.</summary>
    /// <param name="Flag">The command-line flag, e.g. <c>--grpc-url</c>.</param>
    /// <param name="Options">The component's options class the setting belongs to.</param>
    /// <param name="Property">The property of <paramref name="Options"/> it sets.</param>
    /// <param name="Description">One line for --help, without the default (that comes from the options class).</param>
    /// <param name="Kind">What values it takes.</param>
    public sealed record Setting(string Flag, Type Options, string Property, string Description, SettingKind Kind = SettingKind.Text)
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
        public string ConfigurationKey => $"{Section}:{Property}";

        /// <summary>The default: the property's initial value on a new options object; empty when there is none.</summary>
        public string Default => Convert.ToString(Options.GetProperty(Property)!.GetValue(Activator.CreateInstance(Options)), CultureInfo.InvariantCulture) is { Length: > 0 } value
            ? (Kind == SettingKind.Switch ? value.ToLowerInvariant() : value)
            : "";

        /// <summary>The --help line: description, variable and default.</summary>
        public string HelpText => Default.Length > 0 ? $"{Description} [{EnvironmentVariable}; default: {Default}]" : $"{Description} [{EnvironmentVariable}]";
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
