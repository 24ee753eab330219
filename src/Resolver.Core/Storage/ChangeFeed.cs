using Microsoft.Extensions.Logging;
using Resolver.Core.Errors;

namespace Resolver.Core.Storage;

/// <summary>The change feed's settings.</summary>
public sealed record ChangeFeedOptions
{
    /// <summary>How often the log is read when nothing nudges the feed; with the Redis timeout it makes up the staleness bound.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a gap in the sequence is re-read before it is taken for a rolled-back write: on PostgreSQL
    /// a transaction holding a lower number may commit after a higher one was read.
    /// </summary>
    public TimeSpan GapTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most changes one query reads.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>Most open gaps kept; beyond that the oldest are given up (and logged).</summary>
    public int MaxGaps { get; init; } = 1000;
}

/// <summary>
/// Reads the store's change log by sequence number, from the latest at start-up on, and hands every
/// committed change to its subscribers once: cache invalidation across replicas now, a Watch stream or an
/// audit reader later. It reads every <see cref="ChangeFeedOptions.PollInterval"/>, or at once when
/// <see cref="Nudge"/>d (the Redis announcement of a write), so that no change waits longer than one
/// interval whatever the announcement channel does. Gaps in the sequence are re-read for
/// <see cref="ChangeFeedOptions.GapTimeout"/>, so that a write that committed out of order is not skipped.
/// </summary>
public sealed partial class ChangeFeed : IDisposable
{
    private readonly IChangeLog _log;
    private readonly ChangeFeedOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ChangeFeed> _logger;
    private readonly SemaphoreSlim _nudge = new(0, 1);
    private readonly SemaphoreSlim _polling = new(1, 1);
    private readonly Lock _subscribersLock = new();
    private readonly List<Gap> _gaps = [];   // in sequence order, never overlapping
    private IChangeSubscriber[] _subscribers;
    private long _cursor = -1;               // the highest sequence number read; -1 until the start is known
    private bool _failing;
    private volatile bool _waiting;

    /// <summary>A feed over <paramref name="log"/> telling <paramref name="subscribers"/> (and any added later) of each change.</summary>
    public ChangeFeed(IChangeLog log, IEnumerable<IChangeSubscriber> subscribers, ChangeFeedOptions options, TimeProvider time, ILogger<ChangeFeed> logger)
    {
        _log = log;
        _options = options;
        _time = time;
        _logger = logger;
        _subscribers = [.. subscribers];
        _caughtUpTicks = time.GetUtcNow().UtcTicks;
    }

    /// <summary>The highest sequence number read so far; -1 until the feed has read where the log stood at start-up.</summary>
    public long Sequence => Interlocked.Read(ref _cursor);

    /// <summary>
    /// Seconds since this replica last read the log up to its end (how far its caches may lag behind committed
    /// writes; normally below the poll interval, growing while the store is unreachable); since creation before the first read.
    /// </summary>
    public double LagSeconds => (_time.GetUtcNow() - new DateTimeOffset(Interlocked.Read(ref _caughtUpTicks), TimeSpan.Zero)).TotalSeconds;

    private long _caughtUpTicks;

    /// <summary>True while the loop waits for its next tick or nudge (for tests that drive the clock).</summary>
    internal bool IsWaiting => _waiting;

    /// <summary>Sequence ranges (exclusive bounds) not seen yet and still re-read.</summary>
    internal IReadOnlyList<(long After, long Before)> OpenGaps
    {
        get
        {
            lock (_gaps)
            {
                return [.. _gaps.Select(g => (g.After, g.Before))];
            }
        }
    }

    /// <summary>Adds a subscriber until the returned handle is disposed.</summary>
    public IDisposable Subscribe(IChangeSubscriber subscriber)
    {
        lock (_subscribersLock)
        {
            _subscribers = [.. _subscribers, subscriber];
        }

        return new Subscription(this, subscriber);
    }

    /// <summary>Asks the loop to read the log now rather than at its next tick (never blocks).</summary>
    public void Nudge()
    {
        try
        {
            _nudge.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already nudged: one read covers every change committed before it starts.
        }
        catch (ObjectDisposedException)
        {
            // A Redis announcement arriving while the node shuts down: nothing left to nudge.
        }
    }

    /// <summary>Reads the log until <paramref name="cancellationToken"/> is cancelled: at every tick and nudge; an unreachable store is retried at the next tick.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PollAsync(cancellationToken).ConfigureAwait(false);
                if (_failing)
                {
                    _failing = false;
                    LogLogReachable(_logger);
                }
            }
            catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
            {
                // Writes fail too while the store is down; the cursor stays, so nothing is skipped when it is back.
                if (!_failing)
                {
                    _failing = true;
                    LogLogUnreachable(_logger, _options.PollInterval.TotalMilliseconds, exception);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A bug or an unexpected row must not end the feed (and with it the host): log it, keep the cursor, go on.
                LogPollFailed(_logger, exception);
            }

            await WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One read: the first finds where the log stands (changes before it are not delivered); later ones
    /// re-read open gaps, then read everything past the cursor, and deliver what they found. One at a time.
    /// </summary>
    public async Task PollAsync(CancellationToken cancellationToken)
    {
        await _polling.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = _time.GetUtcNow();
            if (_cursor < 0)
            {
                Interlocked.Exchange(ref _cursor, await _log.LatestSequenceAsync(cancellationToken).ConfigureAwait(false));
            }
            else
            {
                await RereadGapsAsync(cancellationToken).ConfigureAwait(false);
                await ReadTailAsync(cancellationToken).ConfigureAwait(false);
            }

            // Everything committed before this read began has been seen.
            Interlocked.Exchange(ref _caughtUpTicks, started.UtcTicks);
        }
        finally
        {
            _polling.Release();
        }
    }

    public void Dispose()
    {
        _nudge.Dispose();
        _polling.Dispose();
    }

    private async Task ReadTailAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Change> page;
        do
        {
            page = await _log.ReadAsync(_cursor, long.MaxValue, _options.PageSize, cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            foreach (var change in page)
            {
                if (change.Sequence > _cursor + 1)
                {
                    AddGap(new Gap(_cursor, change.Sequence, now));
                }

                Interlocked.Exchange(ref _cursor, change.Sequence);
            }

            Deliver(page);
        }
        while (page.Count == _options.PageSize);
    }

    private async Task RereadGapsAsync(CancellationToken cancellationToken)
    {
        Gap[] open;
        lock (_gaps)
        {
            var expiry = _time.GetUtcNow() - _options.GapTimeout;
            foreach (var expired in _gaps.Where(g => g.Since < expiry))
            {
                LogGapGivenUp(_logger, expired.After + 1, expired.Before - 1);
            }

            _gaps.RemoveAll(g => g.Since < expiry);
            open = [.. _gaps];
        }

        if (open.Length == 0)
        {
            return;
        }

        var found = new List<Change>();
        var stillOpen = new List<Gap>(open.Length);
        foreach (var gap in open)
        {
            var filled = await _log.ReadAsync(gap.After, gap.Before, _options.PageSize, cancellationToken).ConfigureAwait(false);
            var after = gap.After;
            foreach (var change in filled)
            {
                if (change.Sequence > after + 1)
                {
                    stillOpen.Add(gap with { After = after, Before = change.Sequence });
                }

                after = change.Sequence;
            }

            if (gap.Before > after + 1)
            {
                stillOpen.Add(gap with { After = after });
            }

            found.AddRange(filled);
        }

        lock (_gaps)
        {
            // Only this (one-at-a-time) poll adds gaps, and it adds them after this point: the list is still `open`.
            _gaps.Clear();
            _gaps.AddRange(stillOpen);
        }

        Deliver(found);
    }

    private void AddGap(Gap gap)
    {
        lock (_gaps)
        {
            _gaps.Add(gap);
            if (_gaps.Count > _options.MaxGaps)
            {
                var oldest = _gaps[0];
                _gaps.RemoveAt(0);
                LogGapGivenUp(_logger, oldest.After + 1, oldest.Before - 1);
            }
        }
    }

    private void Deliver(IReadOnlyList<Change> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        foreach (var subscriber in _subscribers)
        {
            subscriber.OnChanges(changes);
        }
    }

    // Until the next tick of the (injected) clock or a nudge, whichever comes first.
    private async Task WaitAsync(CancellationToken cancellationToken)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tick = Task.Delay(_options.PollInterval, _time, wake.Token);
        var nudged = _nudge.WaitAsync(wake.Token);
        _waiting = true;
        try
        {
            await Task.WhenAny(tick, nudged).ConfigureAwait(false);
        }
        finally
        {
            _waiting = false;
            await wake.CancelAsync().ConfigureAwait(false);
        }

        // Observe the loser's cancellation, so that it is not reported as unobserved.
        await Task.WhenAll(tick, nudged).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
    }

    private void Unsubscribe(IChangeSubscriber subscriber)
    {
        lock (_subscribersLock)
        {
            _subscribers = [.. _subscribers.Where(s => !ReferenceEquals(s, subscriber))];
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "The change log is unreachable; reading it again every {IntervalMs} ms")]
    private static partial void LogLogUnreachable(ILogger logger, double intervalMs, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "The change log is reachable again; the feed goes on from where it stopped")]
    private static partial void LogLogReachable(ILogger logger);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Reading the change log failed unexpectedly; reading it again at the next tick")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "Change log sequence numbers {First}..{Last} never appeared; taken for rolled-back writes")]
    private static partial void LogGapGivenUp(ILogger logger, long first, long last);

    // Sequence numbers After < s < Before not seen yet, first noticed at Since.
    private sealed record Gap(long After, long Before, DateTimeOffset Since);

    private sealed class Subscription(ChangeFeed feed, IChangeSubscriber subscriber) : IDisposable
    {
        public void Dispose() => feed.Unsubscribe(subscriber);
    }
}
