namespace Resolver.Server.Configuration;

/// <summary>The cache tiers of the read path (flags in <see cref="ServerSettings"/>; docs/caching.md).</summary>
public sealed class CacheTierOptions
{
    /// <summary>StackExchange.Redis configuration string of the shared L2 cache and invalidation channel; empty runs L1 + store only.</summary>
    public string Redis { get; set; } = "";

    /// <summary>The Redis ACL user Resolver authenticates as (Redis 6+); empty: the one in <see cref="Redis"/>, or the default user.</summary>
    public string RedisUser { get; set; } = "";

    /// <summary>Its password; empty: the one in <see cref="Redis"/>, or none. From a Secret in production (k8s/base/redis).</summary>
    public string RedisPassword { get; set; } = "";

    /// <summary>
    /// The deployment's namespace in Redis (keys and channels under <c>resolver:{namespace}:</c>); empty derives it from the
    /// store's identity (<see cref="DerivedNamespace"/>), so replicas of one store share it and deployments on different stores
    /// never read each other's entries.
    /// </summary>
    public string RedisNamespace { get; set; } = "";

    /// <summary>Seconds an entry is fresh at most, whatever its values' TTLs say.</summary>
    [SettingRange(0, 7 * 86400)]
    public int CacheTtlCap { get; set; } = 300;

    /// <summary>Seconds an entry is kept past its freshness, served only while the store is unreachable.</summary>
    [SettingRange(0, 7 * 86400)]
    public int CacheStaleWindow { get; set; } = 3600;

    /// <summary>Seconds "not found" is cached.</summary>
    [SettingRange(0, 86400)]
    public int CacheNegativeTtl { get; set; } = 5;

    /// <summary>Most entries in the in-process L1.</summary>
    [SettingRange(1, 100_000_000)]
    public int L1MaxEntries { get; set; } = 100_000;

    /// <summary>Megabytes (MiB) the in-process L1 may take at most: its memory budget.</summary>
    [SettingRange(1, 1_048_576)]
    public int L1MaxMb { get; set; } = 256;

    /// <summary>Milliseconds an L1 entry lives while no invalidation channel is connected: the staleness bound across replicas then.</summary>
    [SettingRange(0, 3_600_000)]
    public int L1UnsyncedTtlMs { get; set; } = 1000;

    /// <summary>Milliseconds a store read may take before a record cached past its freshness is answered stale (RFC 8767's stale answer client timeout).</summary>
    [SettingRange(1, 60_000)]
    public int StaleAnswerTimeoutMs { get; set; } = 1800;

    /// <summary>Milliseconds between reads of the store's change log when no announcement nudges it; with Redis's 1 s timeout it makes up the 2 s staleness bound, hence at most 900.</summary>
    [SettingRange(10, 900)]
    public int ChangePollMs { get; set; } = 500;

    /// <summary>The change feed settings these options describe.</summary>
    public Core.Storage.ChangeFeedOptions ToChangeFeedOptions() => new() { PollInterval = TimeSpan.FromMilliseconds(ChangePollMs) };

    /// <summary>
    /// The namespace derived from a store's identity (<see cref="Core.Storage.IStoreSchema.Identity"/>): "s" and the first
    /// 16 hex digits of its SHA-256, e.g. "s3f9a0c1d2e4b5a69". Known without asking the store, so a node started while its
    /// store is down still finds its deployment's entries.
    /// </summary>
    public static string DerivedNamespace(string storeIdentity) =>
        "s" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(storeIdentity)))[..16];

    /// <summary>Letters, digits, '.', '_' and '-', 1 to 64 of them (no braces: they would pin every key to one Redis Cluster slot).</summary>
    public static bool IsValidNamespace(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>The cache tiers' settings these options describe, <paramref name="storeIdentity"/> naming the default namespace.</summary>
    public Caching.CacheOptions ToCacheOptions(string storeIdentity) => new()
    {
        Redis = string.IsNullOrWhiteSpace(Redis) ? null : Redis,
        RedisUser = RedisUser.Length > 0 ? RedisUser : null,
        RedisPassword = RedisPassword.Length > 0 ? RedisPassword : null,
        RedisNamespace = RedisNamespace.Length > 0 ? RedisNamespace : DerivedNamespace(storeIdentity),
        TtlCap = TimeSpan.FromSeconds(CacheTtlCap),
        StaleWindow = TimeSpan.FromSeconds(CacheStaleWindow),
        NegativeTtl = TimeSpan.FromSeconds(CacheNegativeTtl),
        L1MaxEntries = L1MaxEntries,
        L1MaxBytes = L1MaxMb * 1024L * 1024,
        L1UnsyncedTtl = TimeSpan.FromMilliseconds(L1UnsyncedTtlMs),
        StaleAnswerTimeout = TimeSpan.FromMilliseconds(StaleAnswerTimeoutMs),
    };
}
