namespace Resolver.Caching;

/// <summary>The cache tiers' settings.</summary>
public sealed record CacheOptions
{
    /// <summary>StackExchange.Redis configuration string for the shared L2 (e.g. "127.0.0.1:6379"); null runs L1 + store only.</summary>
    public string? Redis { get; init; }

    /// <summary>The Redis ACL user to authenticate as (Redis 6+); null: the configuration string's, or the default user.</summary>
    public string? RedisUser { get; init; }

    /// <summary>The password of <see cref="RedisUser"/>, kept out of the configuration string so that no log or listing of it shows the secret; null: the configuration string's, or none.</summary>
    public string? RedisPassword { get; init; }

    /// <summary>
    /// The deployment's namespace in Redis: every key and channel is under <c>resolver:{namespace}:</c>, so deployments sharing one
    /// Redis never read each other's entries (SPEC §7). Letters, digits, '.', '_' and '-', 1 to 64 of them (no braces, which would
    /// pin every key to one Redis Cluster slot).
    /// </summary>
    public string RedisNamespace { get; init; } = "default";

    /// <summary>
    /// How often Redis is checked for having gone back in time (besides at every reconnection): a replica that saw the newer
    /// state finds it within one interval and the others adopt its new generation within the next, inside the 2 s bound.
    /// </summary>
    public TimeSpan RedisVerifyInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Most keys whose floor (a version Redis may not hold yet) is remembered one by one; past it Redis is skipped for one TTL cap.
    /// About 200 bytes each. Independent of the L1's size: a node with a small L1 must still use Redis.
    /// </summary>
    public int MaxFloors { get; init; } = 100_000;

    /// <summary>The longest an entry is fresh, whatever its values' TTLs say.</summary>
    public TimeSpan TtlCap { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an entry is kept after it stops being fresh, served only while the store is unreachable.</summary>
    public TimeSpan StaleWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long "not found" is cached.</summary>
    public TimeSpan NegativeTtl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most entries the in-process L1 holds.</summary>
    public int L1MaxEntries { get; init; } = 100_000;

    /// <summary>Most bytes the in-process L1's entries may take (estimated); no sequence of requests grows it past this.</summary>
    public long L1MaxBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>
    /// The staleness bound while no invalidation channel is connected (no Redis, or Redis down): L1
    /// entries are fresh for at most this long, so another replica's write is seen within it.
    /// </summary>
    public TimeSpan L1UnsyncedTtl { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// RFC 8767's stale answer client timeout: how long a read of the next stage may take before a key the cache
    /// holds stale is answered stale (the RFC suggests 1.8 s).
    /// </summary>
    public TimeSpan StaleAnswerTimeout { get; init; } = TimeSpan.FromMilliseconds(1800);
}
