using Microsoft.Extensions.Logging;
using Resolver.Core.Records;
using Resolver.Core.Storage;
using StackExchange.Redis;

namespace Resolver.Caching;

/// <summary>
/// The L1 and (optional) Redis L2 of this replica, kept coherent: committed writes update L2 and are
/// announced on the invalidation channel; announcements drop older L1 entries; while the channel is down
/// L1 entries live at most <see cref="CacheOptions.L1UnsyncedTtl"/>, and L1 is cleared when it drops and
/// when it comes back (messages may have been missed in between).
/// </summary>
public sealed partial class CacheTiers : IChangeNotifier, IAsyncDisposable
{
    private readonly CacheOptions _options;
    private readonly Action _reloadPrefixes;
    private readonly Action _reloadAccess;
    private readonly TimeProvider _time;
    private readonly ILogger<CacheTiers> _logger;
    private volatile bool _subscribed;

    // Writes this replica could not announce (Redis unreachable): the newest entry per key, replayed on reconnection.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CacheEntry> _unannounced = new(StringComparer.Ordinal);

    private CacheTiers(CacheOptions options, RedisTier? redis, Action reloadPrefixes, Action reloadAccess, CacheMetrics metrics, TimeProvider time, ILogger<CacheTiers> logger)
    {
        _options = options;
        _reloadPrefixes = reloadPrefixes;
        _reloadAccess = reloadAccess;
        _time = time;
        _logger = logger;
        Redis = redis;
        Metrics = metrics;
        Memory = new MemoryTier(options.L1MaxEntries);
    }

    internal MemoryTier Memory { get; }

    internal RedisTier? Redis { get; }

    internal CacheMetrics Metrics { get; }

    internal CacheOptions Options => _options;

    /// <summary>True while committed writes elsewhere reach this replica's L1 through the invalidation channel.</summary>
    public bool IsSynchronized => _subscribed && Redis is { IsConnected: true };

    /// <summary>Connects to Redis when configured (without waiting for it to be up) and subscribes to invalidations.</summary>
    /// <param name="options">The cache settings.</param>
    /// <param name="reloadPrefixes">Called when another replica announces a prefix change.</param>
    /// <param name="reloadAccess">Called when another replica announces an enterprise, key or grant change.</param>
    /// <param name="metrics">The read path's instruments.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">For connection changes.</param>
    public static CacheTiers Start(CacheOptions options, Action reloadPrefixes, Action reloadAccess, CacheMetrics metrics, TimeProvider time, ILogger<CacheTiers> logger)
    {
        var redis = options.Redis is { Length: > 0 } configuration ? RedisTier.Connect(configuration, metrics) : null;
        var tiers = new CacheTiers(options, redis, reloadPrefixes, reloadAccess, metrics, time, logger);
        if (redis is not null)
        {
            redis.Multiplexer.ConnectionFailed += tiers.OnConnectionFailed;
            redis.Multiplexer.ConnectionRestored += tiers.OnConnectionRestored;
            tiers.Subscribe();
        }

        return tiers;
    }

    /// <summary>Puts what the store answered into L1, its lifetime capped while unsynchronized.</summary>
    internal void OfferToMemory(string key, CacheEntry entry, DateTimeOffset now)
    {
        var cap = now + _options.L1UnsyncedTtl;
        Memory.Offer(key, IsSynchronized || entry.FreshUntil <= cap ? entry : entry with { FreshUntil = cap });
    }

    public async ValueTask RecordCommittedAsync(HandleRecord record, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var entry = CacheEntry.For(record, now, _options);
        OfferToMemory(record.Key, entry, now);
        if (Redis is null)
        {
            return;
        }

        if (!Redis.IsConnected)
        {
            Remember(record.Key, entry);
            return;
        }

        try
        {
            await Redis.AnnounceAsync(record.Key, entry, now).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
        {
            // The write is committed; Redis and the other replicas learn of it when this replica reconnects.
            Remember(record.Key, entry);
            LogAnnounceFailed(_logger, record.Key, exception);
        }
    }

    private void Remember(string key, CacheEntry entry) =>
        _unannounced.AddOrUpdate(key, entry, (_, held) => held.Version >= entry.Version ? held : entry);

    // Publish what could not be announced while Redis was unreachable, so that Redis and every other replica
    // drop the older copies they may still hold.
    private async Task ReplayUnannouncedAsync()
    {
        foreach (var key in _unannounced.Keys)
        {
            if (_unannounced.TryRemove(key, out var entry))
            {
                try
                {
                    await Redis!.AnnounceAsync(key, entry, _time.GetUtcNow()).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
                {
                    Remember(key, entry);
                    LogAnnounceFailed(_logger, key, exception);
                    return;
                }
            }
        }
    }

    public ValueTask PrefixesChangedAsync(CancellationToken cancellationToken) => AnnounceAsync(InvalidationMessage.Prefixes);

    public ValueTask AccessChangedAsync(CancellationToken cancellationToken) => AnnounceAsync(InvalidationMessage.Access);

    public async ValueTask DisposeAsync()
    {
        Memory.Dispose();
        if (Redis is not null)
        {
            await Redis.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask AnnounceAsync(string message)
    {
        if (Redis is { IsConnected: true })
        {
            try
            {
                await Redis.AnnounceAsync(message).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
            {
                // Other replicas reload within the directories' refresh interval anyway.
                LogAnnounceFailed(_logger, $"({message})", exception);
            }
        }
    }

    private void Subscribe()
    {
        if (!Redis!.IsConnected)
        {
            LogSubscribeDeferred(_logger, "not connected");
            return;
        }

        try
        {
            var queue = Redis.Multiplexer.GetSubscriber().Subscribe(RedisTier.Channel);
            queue.OnMessage(message => OnInvalidation(message.Message.ToString()));
            _subscribed = true;
        }
        catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
        {
            // Redis is down at start: the multiplexer re-subscribes when it connects (ConnectionRestored).
            LogSubscribeDeferred(_logger, exception.Message);
        }
    }

    private void OnInvalidation(string message)
    {
        if (InvalidationMessage.TryParseRecord(message, out var key, out var version))
        {
            Memory.Invalidate(key, version);
        }
        else if (message == InvalidationMessage.Prefixes)
        {
            _reloadPrefixes();
        }
        else if (message == InvalidationMessage.Access)
        {
            _reloadAccess();
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription || !Redis!.IsConnected)
        {
            Memory.Clear();
            LogChannelDown(_logger, e.FailureType.ToString());
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        // Messages sent while we were away are lost: start L1 afresh, and tell the others what we wrote meanwhile.
        Memory.Clear();
        _reloadPrefixes();
        _reloadAccess();
        if (!_subscribed)
        {
            Subscribe();
        }

        _ = ReplayUnannouncedAsync();
        LogChannelUp(_logger);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Could not announce the change of {Key} on Redis")]
    private static partial void LogAnnounceFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Redis is unreachable at start ({Reason}); resolving from L1 and the store until it is back")]
    private static partial void LogSubscribeDeferred(ILogger logger, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Redis connection lost ({Failure}); L1 cleared and capped until it is back")]
    private static partial void LogChannelDown(ILogger logger, string failure);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Redis connection restored; L1 cleared, invalidations flowing again")]
    private static partial void LogChannelUp(ILogger logger);
}
