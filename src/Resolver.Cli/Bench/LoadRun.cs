using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using HdrHistogram;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Bench;

/// <summary>How <c>resolver bench</c> loads a node: the mode, its sizes, how many callers and connections, for how long.</summary>
internal sealed record LoadSettings(string Mode, int BatchSize, int Window, int Concurrency, TimeSpan Warmup, TimeSpan Duration);

/// <summary>
/// A closed-loop load: <c>Concurrency</c> callers, each sending its next request when the last is answered (a stream
/// keeps <c>Window</c> messages in flight), spread over the connections. Everything is measured after the warm-up only.
/// Cancelling (Ctrl+C) ends the run early: calls in flight finish and the report covers the time measured so far.
/// </summary>
internal sealed class LoadRun(LoadSettings settings, KeyPicker keys, IReadOnlyList<GrpcChannel> channels, Func<CancellationToken, CallOptions> call)
{
    private const long HighestMicroseconds = 60L * 60 * 1_000_000;
    private volatile bool _measuring;
    private volatile bool _stopping;
    private long _calls;
    private long _ids;
    private long _refused;
    private long _answered; // warm-up included, for the progress line
    private long _refusing; // warm-up included, for the progress line

    public async Task<LoadReport> RunAsync(string server, Action<string> progress, CancellationToken cancellationToken)
    {
        var workers = Enumerable.Range(0, settings.Concurrency).Select(i => new Worker(channels[i % channels.Count], i)).ToArray();

        // Callers stop when told to, never mid-call: what was sent is answered and counted (each call has its deadline).
        var running = workers.Select(w => Task.Run(() => RunWorkerAsync(w, CancellationToken.None), CancellationToken.None)).ToArray();

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
        foreach (var worker in workers)
        {
            latency.Add(worker.Latency);
            foreach (var (code, count) in worker.Errors)
            {
                errors[code] = errors.GetValueOrDefault(code) + count;
            }

            foreach (var (code, count) in worker.Refusals)
            {
                refusals[code] = refusals.GetValueOrDefault(code) + count;
            }
        }

        double Ms(double percentile) => latency.TotalCount == 0 ? 0 : latency.GetValueAtPercentile(percentile) / 1000.0;
        var calls = Interlocked.Read(ref _calls);
        var ids = Interlocked.Read(ref _ids);
        return new LoadReport(
            settings.Mode, server, settings.Concurrency, channels.Count, settings.Mode == "batch" ? settings.BatchSize : 1, Math.Round(seconds, 3),
            calls, ids, Interlocked.Read(ref _refused), Math.Round(calls / seconds, 1), Math.Round(ids / seconds, 1),
            new LoadLatency(Ms(50), Ms(90), Ms(99), Ms(99.9), latency.TotalCount == 0 ? 0 : latency.GetMaxValue() / 1000.0),
            errors)
        {
            CommonestRefusal = refusals.Count == 0 ? null : refusals.MaxBy(r => r.Value).Key,
        };
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

    private async Task RunWorkerAsync(Worker worker, CancellationToken cancellationToken)
    {
        var client = new Resolution.ResolutionClient(worker.Channel);
        switch (settings.Mode)
        {
            case "unary":
                while (!_stopping)
                {
                    var began = Stopwatch.GetTimestamp();
                    try
                    {
                        await client.ResolveAsync(new ResolveRequest { Identifier = keys.Next(worker.Random) }, call(cancellationToken)).ConfigureAwait(false);
                    }
                    catch (RpcException exception) when (!AnswersTheIdentifier(exception.StatusCode))
                    {
                        Refused(worker, exception.StatusCode);
                        continue;
                    }
                    catch (RpcException exception)
                    {
                        Failed(worker, exception.StatusCode);
                    }

                    Done(worker, began, 1);
                }

                break;
            case "batch":
                while (!_stopping)
                {
                    var batch = new BatchResolveRequest();
                    for (var i = 0; i < settings.BatchSize; i++)
                    {
                        batch.Requests.Add(new ResolveRequest { Identifier = keys.Next(worker.Random) });
                    }

                    var began = Stopwatch.GetTimestamp();
                    var answered = 0;
                    try
                    {
                        var answer = await client.BatchResolveAsync(batch, call(cancellationToken)).ConfigureAwait(false);
                        foreach (var result in answer.Results)
                        {
                            answered += Item(worker, result.Status);
                        }
                    }
                    catch (RpcException exception)
                    {
                        Refused(worker, exception.StatusCode);
                        continue;
                    }

                    Done(worker, began, answered);
                }

                break;
            default:
                await StreamAsync(client, worker, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    // One stream per caller with up to Window messages in flight; answers come in request order, so each is timed
    // against the oldest send still waiting. A stream the server ends with an error (a refusal, a draining node) counts
    // as one refused call, and the caller opens the next one, after a pause that doubles (10 ms to 1 s) while streams
    // keep failing before their first answer: a node that is down is not hammered with streams.
    private async Task StreamAsync(Resolution.ResolutionClient client, Worker worker, CancellationToken cancellationToken)
    {
        var pause = TimeSpan.Zero;
        while (!_stopping)
        {
            var answeredBefore = worker.Answered;
            try
            {
                await OneStreamAsync(client, worker, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception exception)
            {
                Refused(worker, exception is RpcException rpc ? rpc.StatusCode : StatusCode.Unknown);
            }

            pause = worker.Answered > answeredBefore ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Clamp(pause.TotalMilliseconds * 2, 10, 1000));
            await Task.Delay(pause, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task OneStreamAsync(Resolution.ResolutionClient client, Worker worker, CancellationToken cancellationToken)
    {
        var options = call(cancellationToken);
        using var stream = client.ResolveStream(new CallOptions(options.Headers, cancellationToken: cancellationToken));
        using var window = new SemaphoreSlim(settings.Window, settings.Window);
        var sent = new System.Collections.Concurrent.ConcurrentQueue<long>();
        var reader = Task.Run(async () =>
        {
            while (await stream.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                sent.TryDequeue(out var began);
                Done(worker, began, Item(worker, stream.ResponseStream.Current.Status));
                window.Release();
            }
        }, cancellationToken);

        while (!_stopping && !reader.IsCompleted)
        {
            // The server may end the stream (a draining node does) with answers owed: stop waiting for a window then.
            var slot = window.WaitAsync(cancellationToken);
            if (await Task.WhenAny(slot, reader).ConfigureAwait(false) != slot)
            {
                break;
            }

            sent.Enqueue(Stopwatch.GetTimestamp());
            if (!await TryWriteAsync(stream.RequestStream.WriteAsync(new ResolveRequest { Identifier = keys.Next(worker.Random) }, cancellationToken)).ConfigureAwait(false))
            {
                break;
            }
        }

        await TryWriteAsync(stream.RequestStream.CompleteAsync()).ConfigureAwait(false);
        await reader.ConfigureAwait(false);
    }

    // Writing fails only once the call has ended (the server ended it, or refused it): the reader, awaited after,
    // throws the call's status, which is the reason worth reporting.
    private static async Task<bool> TryWriteAsync(Task write)
    {
        try
        {
            await write.ConfigureAwait(false);
            return true;
        }
        catch (Exception)
        {
            return false; // whatever the client library threw, the call's status comes from the reader
        }
    }

    /// <summary>
    /// Statuses that answer for the identifier asked (it is not registered, not valid, not visible to this caller, or its
    /// delegation cannot be followed), as opposed to refusing to resolve it now (over a limit, unavailable, too slow).
    /// An identifier answered with one counts in throughput like an OK, whatever the mode: a unary call's status, or
    /// one item's in a batch or stream.
    /// </summary>
    private static bool AnswersTheIdentifier(StatusCode code) =>
        code is StatusCode.OK or StatusCode.NotFound or StatusCode.InvalidArgument or StatusCode.PermissionDenied or StatusCode.FailedPrecondition;

    // One item of a batch or stream: its status other than OK counts in errors; 1 if it answered its identifier.
    private int Item(Worker worker, ItemStatus? status)
    {
        var code = (StatusCode)(status?.Code ?? 0);
        if (code != StatusCode.OK)
        {
            Failed(worker, code);
        }

        return AnswersTheIdentifier(code) ? 1 : 0;
    }

    // A status other than OK, of a call or of one identifier in it: counted while measuring, as answers are.
    private void Failed(Worker worker, StatusCode code)
    {
        if (_measuring)
        {
            worker.Error(code);
        }
    }

    // A call the server did not answer (rate limit, deadline, unavailable): no identifier was resolved, so it counts
    // apart from throughput and latency, where a fast refusal would pass for a fast answer.
    private void Refused(Worker worker, StatusCode code)
    {
        Interlocked.Increment(ref _refusing);
        if (_measuring)
        {
            worker.Error(code);
            worker.Refusal(code);
            Interlocked.Increment(ref _refused);
        }
    }

    private void Done(Worker worker, long began, int ids)
    {
        worker.Answered++;
        Interlocked.Add(ref _answered, ids);
        if (!_measuring)
        {
            return;
        }

        worker.Latency.RecordValue(Math.Min(HighestMicroseconds, (long)Stopwatch.GetElapsedTime(began).TotalMicroseconds));
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _ids, ids);
    }

    private sealed class Worker(GrpcChannel channel, int seed)
    {
        public GrpcChannel Channel { get; } = channel;

        public Random Random { get; } = new(seed);

        public LongHistogram Latency { get; } = new(HighestMicroseconds, 3);

        public Dictionary<string, long> Errors { get; } = [];

        public Dictionary<string, long> Refusals { get; } = [];

        /// <summary>Calls (or stream messages) answered, warm-up included: whether a failing stream had answered first.</summary>
        public long Answered { get; set; }

        public void Error(StatusCode code) => Count(Errors, code);

        public void Refusal(StatusCode code) => Count(Refusals, code);

        private static void Count(Dictionary<string, long> counts, StatusCode code)
        {
            var name = ExitCodes.StatusName(code);
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }
    }
}
