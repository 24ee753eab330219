using System.Globalization;
using StackExchange.Redis;

namespace Resolver.Caching;

/// <summary>
/// The shared L2 on Redis (standalone or Cluster), through one multiplexer configured to fail fast: while
/// Redis is unreachable the tier is skipped, never waited on, and it is used again by itself once the
/// multiplexer reconnects. Also carries the invalidation channel.
/// Everything this tier keeps in Redis is under <c>resolver:{namespace}:</c> (one deployment's; two deployments sharing a
/// Redis never see each other's keys or announcements), and entries under <c>resolver:{namespace}:{generation}:r:</c>: a
/// Redis found to have gone back in time (<see cref="VerifyAsync"/>) gets a new generation, so nothing it held is read again.
/// </summary>
internal sealed class RedisTier : IAsyncDisposable
{
    // The deployment's epoch hash (one key, so one Redis Cluster slot): "generation", under which entries are kept, and
    // "writes", counting this deployment's announced writes. Returns {generation, writes}. A new generation (above the stored
    // one and the one this replica used) when @distrust is 1 (another server), or when the stored generation or write count
    // is below what this replica has seen (Redis went back in time); "writes" is then put back to what was seen, so that
    // the regression is not taken for another one. 1 when none is stored; else the stored one (another replica may have
    // moved it on).
    private static readonly LuaScript Epoch = LuaScript.Prepare("""
        local stored = tonumber(redis.call('HGET', @key, 'generation') or '0')
        local writes = tonumber(redis.call('HGET', @key, 'writes') or '0')
        local used = tonumber(@used)
        local seen = tonumber(@seen)
        if @distrust == '1' or stored < used or writes < seen then
          stored = math.max(stored, used) + 1
          writes = math.max(writes, seen)
          redis.call('HSET', @key, 'generation', stored, 'writes', writes)
        elseif stored == 0 then
          stored = 1
          redis.call('HSET', @key, 'generation', stored)
        end
        return {stored, writes}
        """);

    // Set the entry unless Redis holds a newer version: a reader that loaded the row before a write
    // can never put it back after the write's own update. Equal versions refresh the lifetime.
    private static readonly LuaScript Fill = LuaScript.Prepare("""
        local current = redis.call('GET', @key)
        if current and tonumber(string.sub(current, 1, 19)) > tonumber(@version) then
          return 0
        end
        redis.call('SET', @key, @value, 'PX', @ttl)
        return 1
        """);

    private readonly ConnectionMultiplexer _multiplexer;
    private readonly CacheMetrics _metrics;
    private readonly string _namespacePrefix;
    private readonly RedisKey _epochKey;
    private readonly SemaphoreSlim _verifying = new(1, 1);
    private bool? _isCluster;

    // The generation entries are read and written under; 0 while not verified since the last (re)connection: then the
    // tier is skipped as if Redis were down. _keyPrefix goes with it.
    private long _generation;
    private volatile string _keyPrefix = "";
    private string? _identity;   // the run_ids of the Redis servers last verified
    private long _lastGeneration;
    private long _writesSeen;    // the highest write count this replica has seen (its own announcements, its checks)
    private long _verifications;

    private RedisTier(ConnectionMultiplexer multiplexer, CacheMetrics metrics, string deploymentNamespace)
    {
        _multiplexer = multiplexer;
        _metrics = metrics;
        _namespacePrefix = $"resolver:{deploymentNamespace}:";
        _epochKey = _namespacePrefix + "epoch";
        Channel = RedisChannel.Literal(_namespacePrefix + "invalidate");
    }

    /// <summary>The pub/sub channel on which every committed write of this deployment is announced: <c>resolver:{namespace}:invalidate</c>.</summary>
    public RedisChannel Channel { get; }

    /// <summary>True while Redis is reachable and verified since the last (re)connection (<see cref="VerifyAsync"/>).</summary>
    public bool IsConnected => _multiplexer.IsConnected && Interlocked.Read(ref _generation) > 0;

    /// <summary>The generation entries are read and written under; 0 while not verified.</summary>
    public long CurrentGeneration => Interlocked.Read(ref _generation);

    /// <summary>How many verifications have completed (for tests that wait for one).</summary>
    public long Verifications => Interlocked.Read(ref _verifications);

    /// <summary>
    /// The lowest version of a key this replica may take from Redis (older entries read as misses, so the
    /// store answers and the fill replaces them); null takes whatever Redis holds.
    /// </summary>
    public Func<string, long>? Floor { get; set; }

    public ConnectionMultiplexer Multiplexer => _multiplexer;

    /// <summary>Connects without waiting for Redis to be up (at most the 2 s connect timeout), and verifies it when it is.</summary>
    /// <param name="configuration">A StackExchange.Redis configuration string.</param>
    /// <param name="metrics">The read path's instruments.</param>
    /// <param name="deploymentNamespace">The deployment's namespace (<see cref="CacheOptions.RedisNamespace"/>).</param>
    /// <param name="user">The ACL user to authenticate as; null or empty: the configuration string's.</param>
    /// <param name="password">Its password; null or empty: the configuration string's.</param>
    public static RedisTier Connect(string configuration, CacheMetrics metrics, string deploymentNamespace, string? user = null, string? password = null)
    {
        var options = ConfigurationOptions.Parse(configuration);
        if (!string.IsNullOrEmpty(user))
        {
            options.User = user;
        }

        if (!string.IsNullOrEmpty(password))
        {
            options.Password = password;
        }

        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 1000);
        options.ReconnectRetryPolicy = new LinearRetry(500);

        // Ping idle connections every second, so that even a silent partition is noticed within about
        // two seconds (the L1 is then cleared and capped; see docs/caching.md).
        options.KeepAlive = 1;
        var tier = new RedisTier(ConnectionMultiplexer.Connect(options), metrics, deploymentNamespace);
        if (tier._multiplexer.IsConnected)
        {
            try
            {
                tier.VerifyAsync().GetAwaiter().GetResult();
            }
            catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
            {
                // Verified when the connection is restored, or at the next periodic check.
            }
        }

        return tier;
    }

    /// <summary>Forgets the verification: the tier is skipped until <see cref="VerifyAsync"/> has run again (after a lost connection).</summary>
    public void Distrust() => Interlocked.Exchange(ref _generation, 0);

    /// <summary>
    /// Checks that Redis still holds this deployment's data as this replica last saw it, and sets the generation the tier
    /// uses. Redis is taken to have gone back in time, and given a new generation (its entries are then never read again and
    /// expire by their TTLs), when the run_id of a server (INFO server) is not the one last verified (a restart, which may
    /// have loaded an older RDB or AOF; a failover to a replica that may lag), or when the stored generation or write count
    /// (<c>resolver:{namespace}:epoch</c>) is below what this replica has seen (an older copy loaded into a running Redis).
    /// Runs one at a time; returns true when this call moved away from a generation in use. Throws
    /// <see cref="RedisException"/> or <see cref="RedisTimeoutException"/> when Redis cannot be asked (the tier stays as it was).
    /// </summary>
    public async Task<bool> VerifyAsync()
    {
        await _verifying.WaitAsync().ConfigureAwait(false);
        try
        {
            var identity = await IdentityAsync().ConfigureAwait(false);
            var used = Math.Max(Interlocked.Read(ref _generation), _lastGeneration);
            var distrust = _identity is not null && identity != _identity;
            var result = (RedisResult[])(await _multiplexer.GetDatabase().ScriptEvaluateAsync(Epoch, new
            {
                key = _epochKey,
                used = used.ToString(CultureInfo.InvariantCulture),
                seen = Interlocked.Read(ref _writesSeen).ToString(CultureInfo.InvariantCulture),
                distrust = distrust ? "1" : "0",
            }).ConfigureAwait(false))!;
            var generation = (long)result[0];
            SeeWrites((long)result[1]);
            var moved = generation != used;
            _identity = identity;
            _lastGeneration = generation;
            _keyPrefix = string.Create(CultureInfo.InvariantCulture, $"{_namespacePrefix}{generation}:r:");
            Interlocked.Exchange(ref _generation, generation);
            Interlocked.Increment(ref _verifications);
            return moved && used > 0;
        }
        finally
        {
            _verifying.Release();
        }
    }

    private void SeeWrites(long writes)
    {
        var seen = Interlocked.Read(ref _writesSeen);
        while (writes > seen && Interlocked.CompareExchange(ref _writesSeen, writes, seen) is var before && before != seen)
        {
            seen = before;
        }
    }

    private const string RunIdScript = "return string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')";

    // The run_ids of the primaries this multiplexer talks to (a new one on every start of a server process), in endpoint
    // order; "" where INFO is refused (some hosted Redis rename it): the stored generation and write count are then the checks.
    private async Task<string> IdentityAsync()
    {
        var ids = new List<string>();
        foreach (var server in _multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica).OrderBy(s => s.EndPoint.ToString(), StringComparer.Ordinal))
        {
            try
            {
                // INFO from a script: the client library refuses INFO itself outside admin mode, which Resolver does not need.
                ids.Add((string?)await server.ExecuteAsync("EVAL", RunIdScript, 0).ConfigureAwait(false) ?? "");
            }
            catch (RedisServerException)
            {
                ids.Add("");
            }
        }

        return string.Join(',', ids);
    }

    /// <summary>The entries for <paramref name="keys"/> (null where absent), or null when Redis cannot be asked now.</summary>
    public async Task<CacheEntry?[]?> GetManyAsync(IReadOnlyList<string> keys)
    {
        if (!IsConnected)
        {
            return null;
        }

        try
        {
            var database = _multiplexer.GetDatabase();
            var results = new CacheEntry?[keys.Count];

            // A cluster refuses a cross-slot MGET: one MGET per hash slot, all pipelined. Standalone: one MGET.
            var prefix = _keyPrefix;
            var indexed = keys.Select((key, i) => (Key: (RedisKey)(prefix + key), Slot: i)).ToArray();
            var groups = IsCluster ? [.. indexed.GroupBy(k => _multiplexer.HashSlot(k.Key)).Select(g => g.ToArray())] : new[] { indexed };
            var reads = groups.Select(async members =>
            {
                _metrics.RedisRead();
                var values = await database.StringGetAsync([.. members.Select(m => m.Key)]).ConfigureAwait(false);
                var floor = Floor;
                for (var i = 0; i < members.Length; i++)
                {
                    var entry = values[i].IsNull ? null : CacheEntryCodec.Decode(((ReadOnlyMemory<byte>)values[i]).Span);
                    results[members[i].Slot] = entry is not null && floor is not null && entry.Version < floor(keys[members[i].Slot]) ? null : entry;
                }
            }).ToArray();
            await Task.WhenAll(reads).ConfigureAwait(false);
            return results;
        }
        catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
        {
            return null;
        }
    }

    /// <summary>Stores entries (version-checked) without making the caller wait; a failure only costs a later miss.</summary>
    public void FillInBackground(IReadOnlyList<(string Key, CacheEntry Entry)> entries, DateTimeOffset now)
    {
        if (entries.Count == 0 || !IsConnected)
        {
            return;
        }

        _ = FillAsync(entries, now).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
    }

    /// <summary>Stores entries (version-checked) in one pipelined batch.</summary>
    internal Task FillAsync(IReadOnlyList<(string Key, CacheEntry Entry)> entries, DateTimeOffset now)
    {
        var batch = _multiplexer.GetDatabase().CreateBatch();
        var prefix = _keyPrefix;
        var writes = entries.Select(e => FillAsync(batch, prefix, e.Key, e.Entry, now)).ToArray();
        batch.Execute();
        return Task.WhenAll(writes);
    }

    /// <summary>
    /// After a committed write: store the new entry, count the write (a Redis that later shows a lower count went back in
    /// time) and tell every replica to drop older copies.
    /// </summary>
    public async Task AnnounceAsync(string key, CacheEntry entry, DateTimeOffset now)
    {
        var database = _multiplexer.GetDatabase();
        await FillAsync(database, _keyPrefix, key, entry, now).ConfigureAwait(false);
        var counted = database.HashIncrementAsync(_epochKey, "writes");
        var published = database.PublishAsync(Channel, InvalidationMessage.ForRecord(key, entry.Version));
        SeeWrites(await counted.ConfigureAwait(false));
        await published.ConfigureAwait(false);
    }

    /// <summary>Tells every replica to reload a directory (prefixes or access).</summary>
    public Task AnnounceAsync(string message) => _multiplexer.GetDatabase().PublishAsync(Channel, message);

    public async ValueTask DisposeAsync()
    {
        await _multiplexer.DisposeAsync().ConfigureAwait(false);
        _verifying.Dispose();
    }

    // Known once connected; asked only then, so that the read path does not list the servers on every call.
    private bool IsCluster => _isCluster ??= _multiplexer.GetServers().Any(server => server.ServerType == ServerType.Cluster);

    private static Task<RedisResult> FillAsync(IDatabaseAsync database, string prefix, string key, CacheEntry entry, DateTimeOffset now)
    {
        var ttl = (long)Math.Max(1, (entry.StaleUntil - now).TotalMilliseconds);
        return database.ScriptEvaluateAsync(Fill, new
        {
            key = (RedisKey)(prefix + key),
            version = entry.Version.ToString(CultureInfo.InvariantCulture),
            value = (RedisValue)CacheEntryCodec.Encode(entry),
            ttl,
        });
    }
}
