using System.Globalization;
using StackExchange.Redis;

namespace Resolver.Caching;

/// <summary>
/// The shared L2 on Redis (standalone or Cluster), through one multiplexer configured to fail fast: while
/// Redis is unreachable the tier is skipped, never waited on, and it is used again by itself once the
/// multiplexer reconnects. Also carries the invalidation channel.
/// </summary>
internal sealed class RedisTier : IAsyncDisposable
{
    /// <summary>Pub/sub channel on which every committed write is announced.</summary>
    public static readonly RedisChannel Channel = RedisChannel.Literal("resolver:invalidate");

    private const string KeyPrefix = "resolver:r:";

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
    private bool? _isCluster;

    private RedisTier(ConnectionMultiplexer multiplexer, CacheMetrics metrics)
    {
        _multiplexer = multiplexer;
        _metrics = metrics;
    }

    public bool IsConnected => _multiplexer.IsConnected;

    /// <summary>
    /// The lowest version of a key this replica may take from Redis (older entries read as misses, so the
    /// store answers and the fill replaces them); null takes whatever Redis holds.
    /// </summary>
    public Func<string, long>? Floor { get; set; }

    public ConnectionMultiplexer Multiplexer => _multiplexer;

    /// <summary>Connects without waiting for Redis to be up (at most the 2 s connect timeout).</summary>
    public static RedisTier Connect(string configuration, CacheMetrics metrics)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 2000);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 1000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 1000);
        options.ReconnectRetryPolicy = new LinearRetry(500);

        // Ping idle connections every second, so that even a silent partition is noticed within about
        // two seconds (the L1 is then cleared and capped; see docs/caching.md).
        options.KeepAlive = 1;
        return new RedisTier(ConnectionMultiplexer.Connect(options), metrics);
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
            var indexed = keys.Select((key, i) => (Key: (RedisKey)(KeyPrefix + key), Slot: i)).ToArray();
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
        var writes = entries.Select(e => FillAsync(batch, e.Key, e.Entry, now)).ToArray();
        batch.Execute();
        return Task.WhenAll(writes);
    }

    /// <summary>After a committed write: store the new entry and tell every replica to drop older copies.</summary>
    public async Task AnnounceAsync(string key, CacheEntry entry, DateTimeOffset now)
    {
        var database = _multiplexer.GetDatabase();
        await FillAsync(database, key, entry, now).ConfigureAwait(false);
        await database.PublishAsync(Channel, InvalidationMessage.ForRecord(key, entry.Version)).ConfigureAwait(false);
    }

    /// <summary>Tells every replica to reload a directory (prefixes or access).</summary>
    public Task AnnounceAsync(string message) => _multiplexer.GetDatabase().PublishAsync(Channel, message);

    public async ValueTask DisposeAsync() => await _multiplexer.DisposeAsync().ConfigureAwait(false);

    // Known once connected; asked only then, so that the read path does not list the servers on every call.
    private bool IsCluster => _isCluster ??= _multiplexer.GetServers().Any(server => server.ServerType == ServerType.Cluster);

    private static Task<RedisResult> FillAsync(IDatabaseAsync database, string key, CacheEntry entry, DateTimeOffset now)
    {
        var ttl = (long)Math.Max(1, (entry.StaleUntil - now).TotalMilliseconds);
        return database.ScriptEvaluateAsync(Fill, new
        {
            key = (RedisKey)(KeyPrefix + key),
            version = entry.Version.ToString(CultureInfo.InvariantCulture),
            value = (RedisValue)CacheEntryCodec.Encode(entry),
            ttl,
        });
    }
}
