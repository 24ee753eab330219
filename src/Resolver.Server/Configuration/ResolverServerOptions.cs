using Resolver.Core;
using Resolver.Core.Identifiers;

namespace Resolver.Server.Configuration;

/// <summary>The node's settings, bound from the "Resolver" configuration section (appsettings.json, RESOLVER_* variables, command-line flags).</summary>
public sealed class ResolverServerOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string Section = "Resolver";

    /// <summary>Where gRPC is served (HTTP/2 cleartext).</summary>
    public string GrpcUrl { get; set; } = "http://127.0.0.1:5280";

    /// <summary>Where HTTP/1.1 is served: health now; REST and metrics later.</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:5281";

    /// <summary>An optional TLS endpoint serving gRPC and HTTP on one port, e.g. https://0.0.0.0:5443; needs <see cref="TlsCert"/> and <see cref="TlsKey"/>.</summary>
    public string HttpsUrl { get; set; } = "";

    /// <summary>PEM certificate (chain) file for <see cref="HttpsUrl"/>, e.g. a mounted Kubernetes Secret.</summary>
    public string TlsCert { get; set; } = "";

    /// <summary>PEM private key file for <see cref="TlsCert"/>.</summary>
    public string TlsKey { get; set; } = "";

    /// <summary>Client certificates on <see cref="HttpsUrl"/>: none (default), allow, or require (mTLS).</summary>
    public string TlsClientCertificates { get; set; } = "none";

    /// <summary>The directory holding the embedded database; relative to the working directory.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>
    /// The persistent store: <c>sqlite:PATH</c> or <c>postgres:NPGSQL-CONNECTION-STRING</c>; empty means
    /// the SQLite file resolver.db under <see cref="DataDir"/>.
    /// </summary>
    public string Store { get; set; } = "";

    /// <summary>
    /// The administrator's bearer token. Without it the embedded default generates one on first start
    /// into &lt;data-dir&gt;/admin-token (mode 0600); with PostgreSQL it is required.
    /// </summary>
    public string AdminToken { get; set; } = "";

    /// <summary>
    /// HMAC-SHA256 key (at least 32 bytes of text) that signs accepted JWT bearer tokens; empty disables JWTs.
    /// A token's "sub" names the enterprise, or "role": "admin" makes it the administrator's.
    /// </summary>
    public string JwtSigningKey { get; set; } = "";

    /// <summary>The "iss" JWTs must carry; empty accepts any issuer.</summary>
    public string JwtIssuer { get; set; } = "";

    /// <summary>The "aud" JWTs must carry; empty accepts any audience.</summary>
    public string JwtAudience { get; set; } = "";

    /// <summary>StackExchange.Redis configuration string of the shared L2 cache and invalidation channel; empty runs L1 + store only.</summary>
    public string Redis { get; set; } = "";

    /// <summary>Seconds an entry is fresh at most, whatever its values' TTLs say.</summary>
    public int CacheTtlCap { get; set; } = 300;

    /// <summary>Seconds an entry is kept past its freshness, served only while the store is unreachable.</summary>
    public int CacheStaleWindow { get; set; } = 3600;

    /// <summary>Seconds "not found" is cached.</summary>
    public int CacheNegativeTtl { get; set; } = 5;

    /// <summary>Most entries in the in-process L1.</summary>
    public int L1MaxEntries { get; set; } = 100_000;

    /// <summary>Milliseconds an L1 entry lives while no invalidation channel is connected: the staleness bound across replicas then.</summary>
    public int L1UnsyncedTtlMs { get; set; } = 1000;

    /// <summary>Milliseconds between reads of the store's change log when no announcement nudges it; with Redis's 1 s timeout it makes up the 2 s staleness bound.</summary>
    public int ChangePollMs { get; set; } = 500;

    /// <summary>Compare suffixes case-sensitively (default: ASCII case is ignored, as in Handle.Net).</summary>
    public bool CaseSensitiveSuffix { get; set; }

    /// <summary>Longest identifier in code points after NFC.</summary>
    public int MaxIdentifierLength { get; set; } = IdentifierSyntax.DefaultMaxLength;

    /// <summary>Most identifiers in one BatchResolve.</summary>
    public int MaxBatchSize { get; set; } = ResolverLimits.Default.MaxBatchSize;

    /// <summary>Most values in one record.</summary>
    public int MaxValuesPerRecord { get; set; } = ResolverLimits.Default.MaxValuesPerRecord;

    /// <summary>Largest value payload in bytes.</summary>
    public int MaxValueBytes { get; set; } = ResolverLimits.Default.MaxValueBytes;

    /// <summary>Requests per second each caller (API key, token, or client address when anonymous) may make to resolver.v1 services, as a token bucket of that size; "off" disables it.</summary>
    public string RateLimit { get; set; } = "1000";

    /// <summary>The rate limit in requests per second; 0 when off.</summary>
    public int RateLimitPerSecond => RateLimit.Equals("off", StringComparison.OrdinalIgnoreCase) ? 0 : int.TryParse(RateLimit, System.Globalization.CultureInfo.InvariantCulture, out var rate) ? rate : -1;

    /// <summary>Longest a unary call may run, in seconds, whatever deadline the caller set (streams are not limited).</summary>
    public int MaxRequestSeconds { get; set; } = 30;

    /// <summary>Largest gRPC request message in bytes.</summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The identifier syntax these settings describe.</summary>
    public IdentifierSyntax ToSyntax() => new() { CaseSensitiveSuffix = CaseSensitiveSuffix, MaxLength = MaxIdentifierLength };

    /// <summary>The limits these settings describe.</summary>
    public ResolverLimits ToLimits() => new()
    {
        MaxBatchSize = MaxBatchSize,
        MaxValuesPerRecord = MaxValuesPerRecord,
        MaxValueBytes = MaxValueBytes,
    };

    /// <summary>The cache settings these options describe.</summary>
    public Caching.CacheOptions ToCacheOptions() => new()
    {
        Redis = string.IsNullOrWhiteSpace(Redis) ? null : Redis,
        TtlCap = TimeSpan.FromSeconds(CacheTtlCap),
        StaleWindow = TimeSpan.FromSeconds(CacheStaleWindow),
        NegativeTtl = TimeSpan.FromSeconds(CacheNegativeTtl),
        L1MaxEntries = L1MaxEntries,
        L1UnsyncedTtl = TimeSpan.FromMilliseconds(L1UnsyncedTtlMs),
    };

    /// <summary>The change feed settings these options describe.</summary>
    public Core.Storage.ChangeFeedOptions ToChangeFeedOptions() => new() { PollInterval = TimeSpan.FromMilliseconds(ChangePollMs) };

    /// <summary>The SQLite database file under <see cref="DataDir"/>.</summary>
    public string DatabasePath => Path.Combine(Path.GetFullPath(DataDir), "resolver.db");

    /// <summary>The store setting with its default filled in.</summary>
    public string EffectiveStore => string.IsNullOrWhiteSpace(Store) ? $"sqlite:{DatabasePath}" : Store;
}
