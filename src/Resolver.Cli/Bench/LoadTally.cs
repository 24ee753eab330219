using System.Diagnostics;
using HdrHistogram;

namespace Resolver.Cli.Bench;

/// <summary>How <c>resolver bench</c> loads a node: the mode, its sizes, how many callers and connections, for how long.</summary>
internal sealed record LoadSettings(string Mode, int BatchSize, int Window, int Concurrency, TimeSpan Warmup, TimeSpan Duration);

/// <summary>
/// What a closed-loop load measured, whatever the wire: callers run until <see cref="Stopping"/>, each reporting its
/// answers (<see cref="Done"/>), errors (<see cref="Failed"/>) and refusals (<see cref="Refused"/>); only what happens
/// after the warm-up counts. <see cref="RunAsync"/> runs the phases with a progress line a second and turns the counts
/// into the report. Cancelling (Ctrl+C) ends the run early: calls in flight finish and the report covers the time
/// measured so far.
/// </summary>
internal sealed class LoadTally(LoadSettings settings)
{
    /// <summary>The longest latency the histograms hold: an hour, in microseconds.</summary>
    public const long HighestMicroseconds = 60L * 60 * 1_000_000;

    private volatile bool _measuring;
    private volatile bool _stopping;
    private long _calls;
    private long _ids;
    private long _refused;
    private long _answered; // warm-up included, for the progress line
    private long _refusing; // warm-up included, for the progress line

    /// <summary>True once callers should stop: never mid-call, so what was sent is answered and counted.</summary>
    public bool Stopping => _stopping;

    /// <summary>
    /// Runs <see cref="LoadSettings.Concurrency"/> callers of <paramref name="caller"/> through the warm-up and the
    /// measurement, then waits for each to finish its last call.
    /// </summary>
    /// <param name="caller">One caller's loop, until <see cref="Stopping"/>.</param>
    /// <param name="server">The server, as the report names it.</param>
    /// <param name="connections">Connections (or sockets) the callers used, as the report names them.</param>
    /// <param name="progress">Where the progress line goes.</param>
    /// <param name="cancellationToken">Ends the run early.</param>
    public async Task<LoadReport> RunAsync(Func<LoadCaller, Task> caller, string server, int connections, Action<string> progress, CancellationToken cancellationToken)
    {
        var callers = Enumerable.Range(0, settings.Concurrency).Select(i => new LoadCaller(i)).ToArray();
        var running = callers.Select(c => Task.Run(() => caller(c), CancellationToken.None)).ToArray();

        await WaitReportingAsync(settings.Warmup, "warm-up", progress, cancellationToken).ConfigureAwait(false);
        _measuring = true;
        var started = Stopwatch.GetTimestamp();
        await WaitReportingAsync(settings.Duration, "measuring", progress, cancellationToken).ConfigureAwait(false);
        _measuring = false;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        _stopping = true;
        await Task.WhenAll(running).ConfigureAwait(false);

        var latency = new LongHistogram(HighestMicroseconds, 3);
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var refusals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var one in callers)
        {
            latency.Add(one.Latency);
            foreach (var (code, count) in one.Errors)
            {
                errors[code] = errors.GetValueOrDefault(code) + count;
            }

            foreach (var (code, count) in one.Refusals)
            {
                refusals[code] = refusals.GetValueOrDefault(code) + count;
            }
        }

        double Ms(double percentile) => latency.TotalCount == 0 ? 0 : latency.GetValueAtPercentile(percentile) / 1000.0;
        var calls = Interlocked.Read(ref _calls);
        var ids = Interlocked.Read(ref _ids);
        return new LoadReport(
            settings.Mode, server, settings.Concurrency, connections, settings.Mode == "batch" ? settings.BatchSize : 1, Math.Round(seconds, 3),
            calls, ids, Interlocked.Read(ref _refused), Math.Round(calls / seconds, 1), Math.Round(ids / seconds, 1),
            new LoadLatency(Ms(50), Ms(90), Ms(99), Ms(99.9), latency.TotalCount == 0 ? 0 : latency.GetMaxValue() / 1000.0),
            errors)
        {
            CommonestRefusal = refusals.Count == 0 ? null : refusals.MaxBy(r => r.Value).Key,
        };
    }

    /// <summary>A status other than OK, of a call or of one identifier in it, by name (e.g. NOT_FOUND): counted while measuring, as answers are.</summary>
    public void Failed(LoadCaller caller, string code)
    {
        if (_measuring)
        {
            caller.Error(code);
        }
    }

    /// <summary>
    /// A call the server did not answer (rate limit, deadline, unavailable): no identifier was resolved, so it counts
    /// apart from throughput and latency, where a fast refusal would pass for a fast answer.
    /// </summary>
    public void Refused(LoadCaller caller, string code)
    {
        Interlocked.Increment(ref _refusing);
        if (_measuring)
        {
            caller.Error(code);
            caller.Refusal(code);
            Interlocked.Increment(ref _refused);
        }
    }

    /// <summary>A call (or stream message) sent at <paramref name="began"/> answered, resolving <paramref name="ids"/> identifiers.</summary>
    public void Done(LoadCaller caller, long began, int ids)
    {
        caller.Answered++;
        Interlocked.Add(ref _answered, ids);
        if (!_measuring)
        {
            return;
        }

        caller.Latency.RecordValue(Math.Min(HighestMicroseconds, (long)Stopwatch.GetElapsedTime(began).TotalMicroseconds));
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _ids, ids);
    }

    // One line a second while the phase lasts: how fast answers come now.
    private async Task WaitReportingAsync(TimeSpan phase, string name, Action<string> progress, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + (long)(phase.TotalSeconds * Stopwatch.Frequency);
        var lastIds = Interlocked.Read(ref _answered);
        var lastRefused = Interlocked.Read(ref _refusing);
        var lastAt = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
        {
            var left = TimeSpan.FromSeconds((double)(end - Stopwatch.GetTimestamp()) / Stopwatch.Frequency);
            var wait = left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
            try
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // interrupted: report what was measured
            }

            if (wait < TimeSpan.FromSeconds(1))
            {
                return; // the phase's last fraction of a second: no line for it (it would say 0 s left, over a few ms)
            }

            var ids = Interlocked.Read(ref _answered);
            var refused = Interlocked.Read(ref _refusing);
            var now = Stopwatch.GetTimestamp();
            var elapsed = Math.Max(1e-9, (double)(now - lastAt) / Stopwatch.Frequency);
            var refusals = refused == lastRefused ? "" : $", {(refused - lastRefused) / elapsed:#,0} calls/s refused";
            progress($"bench: {name}, {(double)Math.Max(0, end - now) / Stopwatch.Frequency:0} s left, {(ids - lastIds) / elapsed:#,0} IDs/s{refusals}");
            (lastIds, lastRefused, lastAt) = (ids, refused, now);
        }
    }
}

/// <summary>One caller of a load: its own random keys, latency histogram and counts, touched by its loop only.</summary>
internal sealed class LoadCaller(int index)
{
    /// <summary>The caller's number, from 0: which connection it uses.</summary>
    public int Index { get; } = index;

    public Random Random { get; } = new(index);

    public LongHistogram Latency { get; } = new(LoadTally.HighestMicroseconds, 3);

    public Dictionary<string, long> Errors { get; } = [];

    public Dictionary<string, long> Refusals { get; } = [];

    /// <summary>Calls (or stream messages) answered, warm-up included: whether a failing stream had answered first.</summary>
    public long Answered { get; set; }

    public void Error(string code) => Errors[code] = Errors.GetValueOrDefault(code) + 1;

    public void Refusal(string code) => Refusals[code] = Refusals.GetValueOrDefault(code) + 1;
}
