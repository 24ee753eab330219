using Microsoft.Extensions.Logging;
using Resolver.Core.Records;
using Resolver.Core.Security;
using Resolver.Core.Storage;
using StackExchange.Redis;

namespace Resolver.Caching;

/// <summary>
/// The L1 and (optional) Redis L2 of this replica, kept coherent. Fast path: committed writes update L2 and
/// are announced on the invalidation channel; announcements drop older L1 entries; while the channel is down
/// L1 entries live at most <see cref="CacheOptions.L1UnsyncedTtl"/>, and L1 is cleared when it drops and
/// when it comes back. Guarantee, whatever Redis does: the <see cref="ChangeFeed"/> delivers every change from
/// the store's log; one this replica had not heard of drops older L1 entries and keeps older Redis entries
/// from being served (they may have missed the write) for as long as such an entry can be fresh.
/// </summary>
public sealed partial class CacheTiers : IChangeNotifier, IChangeSubscriber, IAsyncDisposable
{
    private readonly CacheOptions _options;
    private readonly Action _reloadPrefixes;
    private readonly Action<IReadOnlyList<AccessChange>?> _accessChanged;
    private readonly TimeProvider _time;
    private readonly ILogger<CacheTiers> _logger;
    private volatile bool _subscribed;

    // Writes this replica could not announce (Redis unreachable): the newest entry per key, replayed on reconnection.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CacheEntry> _unannounced = new(StringComparer.Ordinal);

    // Versions that Redis may not hold yet (a missed announcement, or a write here that could not be
    // announced): older Redis entries of these keys are not served. Kept for the TTL cap, the longest an
    // entry read before the write can stay fresh; separate from L1 because L1 is cleared on reconnection.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Floor> _floors = new(StringComparer.Ordinal);

    // Past MaxFloors floors, Redis is not read at all (UTC ticks until when): bounded memory, same guarantee.
    private long _redisDistrustedUntil;

    // Versions known to be in Redis already: written here and announced, or announced by another replica (whose fill
    // precedes its announcement). The change feed then brings nothing new for them, whatever L1 kept (with a small L1 it
    // keeps nothing); each is consumed when the feed delivers its change. Bounded by MaxFloors: past it, forgotten.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _heard = new(StringComparer.Ordinal);

    private ITimer? _verifyTimer;

    private CacheTiers(CacheOptions options, RedisTier? redis, Action reloadPrefixes, Action<IReadOnlyList<AccessChange>?> accessChanged, CacheMetrics metrics, TimeProvider time, ILogger<CacheTiers> logger)
    {
        _options = options;
        _reloadPrefixes = reloadPrefixes;
        _accessChanged = accessChanged;
        _time = time;
        _logger = logger;
        Redis = redis;
        Metrics = metrics;
        Memory = new MemoryTier(options.L1MaxBytes, options.L1MaxEntries, metrics.Evicted);
        if (redis is not null)
        {
            redis.Floor = RedisFloor;
        }
    }

    /// <summary>Raised when another replica announces a record write (the change feed reads its log early on it).</summary>
    public event Action? ChangeAnnounced;

    internal MemoryTier Memory { get; }

    internal RedisTier? Redis { get; }

    internal CacheMetrics Metrics { get; }

    internal CacheOptions Options => _options;

    /// <summary>True while committed writes elsewhere reach this replica's L1 through the invalidation channel.</summary>
    public bool IsSynchronized => _subscribed && Redis is { IsConnected: true };

    /// <summary>How many keys have a floor remembered one by one (at most <see cref="CacheOptions.MaxFloors"/>).</summary>
    internal int FloorCount => _floors.Count;

    /// <summary>The newest version of <paramref name="key"/> heard announced and not yet delivered by the change feed; -1: none.</summary>
    internal long HeardVersion(string key) => _heard.TryGetValue(key, out var version) ? version : -1;

    /// <summary>Connects to Redis when configured (without waiting for it to be up) and subscribes to invalidations.</summary>
    /// <param name="options">The cache settings.</param>
    /// <param name="reloadPrefixes">Called when another replica announces a prefix change.</param>
    /// <param name="accessChanged">Called with the changes another replica announces to enterprises, keys or grants; with null when they are unknown (a message from an older replica, or ones missed while disconnected): reload everything.</param>
    /// <param name="metrics">The read path's instruments.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">For connection changes.</param>
    public static CacheTiers Start(CacheOptions options, Action reloadPrefixes, Action<IReadOnlyList<AccessChange>?> accessChanged, CacheMetrics metrics, TimeProvider time, ILogger<CacheTiers> logger)
    {
        var redis = options.Redis is { Length: > 0 } configuration ? RedisTier.Connect(configuration, metrics, options.RedisNamespace, options.RedisUser, options.RedisPassword) : null;
        var tiers = new CacheTiers(options, redis, reloadPrefixes, accessChanged, metrics, time, logger);
        metrics.Observe(tiers);
        if (redis is not null)
        {
            redis.Multiplexer.ConnectionFailed += tiers.OnConnectionFailed;
            redis.Multiplexer.ConnectionRestored += tiers.OnConnectionRestored;
            tiers.Subscribe();

            // A Redis that went back in time without this replica seeing its connection drop is found within one interval.
            tiers._verifyTimer = time.CreateTimer(static state => ((CacheTiers)state!).VerifyInBackground(), tiers, options.RedisVerifyInterval, options.RedisVerifyInterval);
        }

        return tiers;
    }

    /// <summary>
    /// A record the tiers hold fresh (L1, then Redis), or null. For what other stages keep here beside records: learned
    /// delegations, as Handle keeps a prefix's sites, in the prefix handle <c>0.NA/PREFIX</c>.
    /// </summary>
    public async ValueTask<HandleRecord?> GetFreshAsync(string key)
    {
        var now = _time.GetUtcNow();
        if (Memory.Get(key) is { } held && now < held.FreshUntil)
        {
            return held.Record;
        }

        if (Redis is { } redis && await redis.GetManyAsync([key]).ConfigureAwait(false) is [{ } shared] && now < shared.FreshUntil)
        {
            OfferToMemory(key, shared, now, fromElsewhere: true);
            return shared.Record;
        }

        return null;
    }

    /// <summary>Keeps <paramref name="record"/> in L1 and Redis for its values' TTL (capped), as a record read from the store is kept.</summary>
    public void Remember(HandleRecord record)
    {
        var now = _time.GetUtcNow();
        var entry = CacheEntry.For(record, now, _options);
        OfferToMemory(record.Key, entry, now, fromElsewhere: true);
        Redis?.FillInBackground([(record.Key, entry)], now);
    }

    /// <summary>
    /// Puts an answer into L1, its lifetime capped while unsynchronized, unless it came from another node
    /// (<paramref name="fromElsewhere"/>): writes there never reach this node's invalidation channel anyway, so the
    /// TTL that node gave is the only bound, with or without Redis (docs/federation.md).
    /// </summary>
    internal void OfferToMemory(string key, CacheEntry entry, DateTimeOffset now, bool fromElsewhere = false)
    {
        // A store read that began before the write may land after L1 was cleared (and its watermark with it).
        if (!_floors.IsEmpty && _floors.TryGetValue(key, out var held) && held.Version > entry.Version && held.Until > now)
        {
            return;
        }

        var cap = now + _options.L1UnsyncedTtl;
        Memory.Offer(key, fromElsewhere || IsSynchronized || entry.FreshUntil <= cap ? entry : entry with { FreshUntil = cap });
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
            HoldFloor(record.Key, record.Version, now);
            return;
        }

        try
        {
            await Redis.AnnounceAsync(record.Key, entry, now).ConfigureAwait(false);
            Heard(record.Key, record.Version);
        }
        catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
        {
            // The write is committed; the other replicas learn of it from the change feed, and Redis when this
            // replica reconnects. Until then Redis may hold the older entry: this replica does not serve it.
            Remember(record.Key, entry);
            HoldFloor(record.Key, record.Version, now);
            LogAnnounceFailed(_logger, record.Key, exception);
        }
    }

    /// <summary>
    /// From the change feed: a change this replica already knows of (announced, hence already in Redis, or
    /// written here) costs nothing; any other drops older L1 entries and keeps older Redis entries from being served.
    /// </summary>
    public void OnChanges(IReadOnlyList<Change> changes)
    {
        var now = _time.GetUtcNow();
        PruneFloors(now);
        foreach (var change in changes)
        {
            var heard = _heard.TryRemove(change.Key, out var version) && version >= change.Version;
            if (heard || Memory.KnownVersion(change.Key) >= change.Version)
            {
                continue;
            }

            Memory.Invalidate(change.Key, change.Version);
            if (Redis is not null)
            {
                HoldFloor(change.Key, change.Version, now);
                LogMissedAnnouncement(_logger, change.Key, change.Version);
            }
        }
    }

    /// <summary>The lowest version of <paramref name="key"/> this replica may serve from Redis.</summary>
    internal long RedisFloor(string key)
    {
        var now = _time.GetUtcNow();
        if (now.UtcTicks < Interlocked.Read(ref _redisDistrustedUntil))
        {
            return long.MaxValue;
        }

        var floor = Memory.KnownVersion(key);
        if (_floors.TryGetValue(key, out var held))
        {
            if (held.Until > now)
            {
                floor = Math.Max(floor, held.Version);
            }
            else
            {
                _floors.TryRemove(KeyValuePair.Create(key, held));
            }
        }

        return floor;
    }

    private void HoldFloor(string key, long version, DateTimeOffset now)
    {
        if (_floors.Count >= _options.MaxFloors && !_floors.ContainsKey(key))
        {
            // Too many to remember one by one: skip Redis for as long as the oldest of them had to be kept.
            Interlocked.Exchange(ref _redisDistrustedUntil, (now + _options.TtlCap).UtcTicks);
            _floors.Clear();
            LogFloorsOverflow(_logger, _options.MaxFloors);
            return;
        }

        var floor = new Floor(version, now + _options.TtlCap);
        _floors.AddOrUpdate(key, floor, (_, held) => held.Version > version ? held : floor);
    }

    private void PruneFloors(DateTimeOffset now)
    {
        foreach (var (key, held) in _floors)
        {
            if (held.Until <= now)
            {
                _floors.TryRemove(KeyValuePair.Create(key, held));
            }
        }
    }

    private void Heard(string key, long version)
    {
        if (_heard.Count >= _options.MaxFloors)
        {
            _heard.Clear(); // forgetting costs only floors (store reads), never a stale answer
        }

        _heard.AddOrUpdate(key, version, (_, held) => Math.Max(held, version));
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

    public ValueTask AccessChangedAsync(IReadOnlyList<AccessChange> changes, CancellationToken cancellationToken) => AnnounceAsync(InvalidationMessage.ForAccess(changes));

    public async ValueTask DisposeAsync()
    {
        _verifyTimer?.Dispose();
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
        if (!Redis!.Multiplexer.IsConnected)
        {
            LogSubscribeDeferred(_logger, "not connected");
            return;
        }

        try
        {
            var queue = Redis.Multiplexer.GetSubscriber().Subscribe(Redis.Channel);
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
            Heard(key, version);
            ChangeAnnounced?.Invoke();
        }
        else if (message == InvalidationMessage.Prefixes)
        {
            _reloadPrefixes();
        }
        else if (InvalidationMessage.TryParseAccess(message, out var changes))
        {
            _accessChanged(changes);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        // Whatever answers when the connection is back may be another Redis, or this one restarted from an older copy:
        // not read until verified.
        var down = e.ConnectionType == ConnectionType.Subscription || !Redis!.Multiplexer.IsConnected;
        Redis!.Distrust();
        if (down)
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
        _accessChanged(null);
        if (!_subscribed)
        {
            Subscribe();
        }

        VerifyInBackground();
        LogChannelUp(_logger);
    }

    private void VerifyInBackground() => _ = VerifyAsync();

    /// <summary>
    /// Verifies Redis (<see cref="RedisTier.VerifyAsync"/>): when it went back in time, L1 (which may hold what it served) is
    /// cleared; then what could not be announced meanwhile is replayed. A Redis that cannot be asked stays as it was.
    /// </summary>
    internal async Task VerifyAsync()
    {
        var redis = Redis!;
        var wasVerified = redis.IsConnected;
        try
        {
            if (await redis.VerifyAsync().ConfigureAwait(false))
            {
                Memory.Clear();
                LogWentBack(_logger, redis.CurrentGeneration);
            }
        }
        catch (Exception exception) when (exception is RedisException or RedisTimeoutException or ObjectDisposedException)
        {
            return;
        }

        if (!wasVerified || !_unannounced.IsEmpty)
        {
            await ReplayUnannouncedAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Could not announce the change of {Key} on Redis")]
    private static partial void LogAnnounceFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Redis is unreachable at start ({Reason}); resolving from L1 and the store until it is back")]
    private static partial void LogSubscribeDeferred(ILogger logger, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Redis connection lost ({Failure}); L1 cleared and capped until it is back")]
    private static partial void LogChannelDown(ILogger logger, string failure);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Redis connection restored; L1 cleared, invalidations flowing again")]
    private static partial void LogChannelUp(ILogger logger);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug, Message = "The change feed brought version {Version} of {Key}, never announced here; older cached copies are dropped")]
    private static partial void LogMissedAnnouncement(ILogger logger, string key, long version);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "More than {Count} writes were not announced on Redis; Redis entries are not served until older copies can no longer be fresh")]
    private static partial void LogFloorsOverflow(ILogger logger, int count);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Redis went back in time or is another server (restarted, restored from an older copy, failed over); its entries are no longer read, generation {Generation} from now on")]
    private static partial void LogWentBack(ILogger logger, long generation);

    private sealed record Floor(long Version, DateTimeOffset Until);
}
