using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Errors;
using Resolver.Core.Storage;
using Resolver.Testing;

namespace Resolver.Core.Tests;

public sealed class ChangeFeedTests
{
    private static readonly ChangeFeedOptions Options = new() { PollInterval = TimeSpan.FromMilliseconds(500), GapTimeout = TimeSpan.FromSeconds(10), PageSize = 3 };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeLog _log = new();
    private readonly Recorder _received = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ChangeFeed Feed(ChangeFeedOptions? options = null) => new(_log, [_received], options ?? Options, _time, NullLogger<ChangeFeed>.Instance);

    [Fact]
    public async Task Poll_FirstRead_StartsAtTheLatestSequenceWithoutDeliveringOlderChanges()
    {
        _log.Commit(1, 2);
        using var feed = Feed();

        await feed.PollAsync(Ct);
        _log.Commit(3);
        await feed.PollAsync(Ct);

        Assert.Equal([3L], _received.Sequences);
        Assert.Equal(3, feed.Sequence);
    }

    [Fact]
    public async Task Poll_MoreChangesThanAPage_DeliversEveryChangeOnceInSequenceOrder()
    {
        using var feed = Feed();
        await feed.PollAsync(Ct);
        _log.Commit([.. Enumerable.Range(1, 10).Select(i => (long)i)]);

        await feed.PollAsync(Ct);
        await feed.PollAsync(Ct);

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), _received.Sequences);
    }

    [Fact]
    public async Task Poll_LowerSequenceCommittedLate_IsDeliveredOnceOnALaterRead()
    {
        using var feed = Feed();
        await feed.PollAsync(Ct);
        _log.Commit(1, 3, 5); // 2 and 4 are held by transactions still open
        await feed.PollAsync(Ct);
        var gaps = feed.OpenGaps;

        _log.Commit(4);
        await feed.PollAsync(Ct);
        _log.Commit(2, 6);
        await feed.PollAsync(Ct);
        await feed.PollAsync(Ct);

        Assert.Equal([(1L, 3L), (3L, 5L)], gaps);
        Assert.Equal([1L, 3, 5, 4, 2, 6], _received.Sequences);
        Assert.Empty(feed.OpenGaps);
    }

    [Fact]
    public async Task Poll_GapNeverFilled_IsGivenUpAfterTheGapTimeout()
    {
        using var feed = Feed();
        await feed.PollAsync(Ct);
        _log.Commit(1, 3); // 2 was rolled back
        await feed.PollAsync(Ct);

        _time.Advance(Options.GapTimeout - TimeSpan.FromMilliseconds(1));
        await feed.PollAsync(Ct);
        var stillOpen = feed.OpenGaps.Count;
        _time.Advance(TimeSpan.FromMilliseconds(2));
        await feed.PollAsync(Ct);

        Assert.Equal(1, stillOpen);
        Assert.Empty(feed.OpenGaps);
    }

    [Fact]
    public async Task Run_NoNudge_ReadsOncePerPollInterval()
    {
        using var feed = Feed();
        using var stop = new CancellationTokenSource();
        var run = feed.RunAsync(stop.Token);
        await WaitingAsync(feed);
        var readsAtStart = _log.Reads;
        _log.Commit(1);

        _time.Advance(Options.PollInterval - TimeSpan.FromMilliseconds(1));
        var readsBeforeTheTick = _log.Reads;
        var deliveredBeforeTheTick = _received.Sequences.Count;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.TrueAsync(() => _received.Sequences.Count == 1, TimeSpan.FromSeconds(10), "the tick never read the log");
        await WaitingAsync(feed);
        _time.Advance(Options.PollInterval);
        await Eventually.TrueAsync(() => _log.Reads > readsAtStart + 1, TimeSpan.FromSeconds(10), "the second tick never read the log");

        await StopAsync(stop, run);
        Assert.Equal((readsAtStart, 0), (readsBeforeTheTick, deliveredBeforeTheTick));
    }

    [Fact]
    public async Task Nudge_BeforeTheTick_ReadsAtOnce()
    {
        using var feed = Feed();
        using var stop = new CancellationTokenSource();
        var run = feed.RunAsync(stop.Token);
        await WaitingAsync(feed);
        _log.Commit(1);

        feed.Nudge(); // the clock does not move

        await Eventually.TrueAsync(() => _received.Sequences.Count == 1, TimeSpan.FromSeconds(10), "the nudge never read the log");
        await StopAsync(stop, run);
    }

    [Fact]
    public async Task Run_LogUnavailable_ReadsAgainAtTheNextTickWithoutSkippingChanges()
    {
        using var feed = Feed();
        using var stop = new CancellationTokenSource();
        var run = feed.RunAsync(stop.Token);
        await WaitingAsync(feed);
        _log.Commit(1);
        _log.Down = true;

        _time.Advance(Options.PollInterval);
        await Eventually.TrueAsync(() => _log.FailedReads > 0, TimeSpan.FromSeconds(10), "the feed never tried the log");
        await WaitingAsync(feed);
        _log.Down = false;
        _log.Commit(2);
        _time.Advance(Options.PollInterval);

        await Eventually.TrueAsync(() => _received.Sequences.Count == 2, TimeSpan.FromSeconds(10), "the feed never caught up after the outage");
        await StopAsync(stop, run);
        Assert.Equal([1L, 2], _received.Sequences);
    }

    [Fact]
    public async Task Subscribe_UntilDisposed_IsToldOfChangesAlongsideTheOthers()
    {
        using var feed = Feed();
        await feed.PollAsync(Ct);
        var late = new Recorder();
        var subscription = feed.Subscribe(late);

        _log.Commit(1);
        await feed.PollAsync(Ct);
        subscription.Dispose();
        _log.Commit(2);
        await feed.PollAsync(Ct);

        Assert.Equal([1L], late.Sequences);
        Assert.Equal([1L, 2], _received.Sequences);
    }

    private static async Task StopAsync(CancellationTokenSource stop, Task run)
    {
        await stop.CancelAsync();
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
            // Stopped in the middle of a read rather than while waiting: just as good.
        }
    }

    private static Task WaitingAsync(ChangeFeed feed) =>
        Eventually.TrueAsync(() => feed.IsWaiting, TimeSpan.FromSeconds(10), "the feed never waited for its next tick");

    /// <summary>A change log in memory: only committed sequence numbers are visible, in any order they commit.</summary>
    private sealed class FakeLog : IChangeLog
    {
        private readonly List<Change> _committed = [];

        public int Reads { get; private set; }

        public int FailedReads { get; private set; }

        public bool Down { get; set; }

        public void Commit(params long[] sequences)
        {
            lock (_committed)
            {
                _committed.AddRange(sequences.Select(s => new Change(s, $"88.1/k{s}", 1, ChangeOperation.Create, DateTimeOffset.UnixEpoch)));
            }
        }

        public ValueTask<long> LatestSequenceAsync(CancellationToken cancellationToken)
        {
            ThrowIfDown();
            lock (_committed)
            {
                return ValueTask.FromResult(_committed.Count == 0 ? 0 : _committed.Max(c => c.Sequence));
            }
        }

        public ValueTask<IReadOnlyList<Change>> ReadAsync(long afterSequence, long beforeSequence, int limit, CancellationToken cancellationToken)
        {
            ThrowIfDown();
            Reads++;
            lock (_committed)
            {
                return ValueTask.FromResult<IReadOnlyList<Change>>([.. _committed.Where(c => c.Sequence > afterSequence && c.Sequence < beforeSequence).OrderBy(c => c.Sequence).Take(limit)]);
            }
        }

        private void ThrowIfDown()
        {
            if (Down)
            {
                FailedReads++;
                throw new ResolverException(new Problem(ErrorKind.Unavailable, Reasons.StoreUnavailable, "the record store is unavailable"));
            }
        }
    }

    private sealed class Recorder : IChangeSubscriber
    {
        private readonly List<long> _sequences = [];

        public List<long> Sequences
        {
            get
            {
                lock (_sequences)
                {
                    return [.. _sequences];
                }
            }
        }

        public void OnChanges(IReadOnlyList<Change> changes)
        {
            lock (_sequences)
            {
                _sequences.AddRange(changes.Select(c => c.Sequence));
            }
        }
    }
}
