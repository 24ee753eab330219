using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Bench;

/// <summary>
/// The gRPC load: <c>Concurrency</c> callers, each sending its next call when the last is answered (a stream keeps
/// <c>Window</c> messages in flight), spread over the channels (HTTP/2 connections). What they measured is a
/// <see cref="LoadTally"/>'s.
/// </summary>
internal sealed class LoadRun(LoadSettings settings, KeyPicker keys, IReadOnlyList<GrpcChannel> channels, Func<CancellationToken, CallOptions> call)
{
    private readonly LoadTally _tally = new(settings);

    public Task<LoadReport> RunAsync(string server, Action<string> progress, CancellationToken cancellationToken) =>
        // Callers stop when told to, never mid-call: what was sent is answered and counted (each call has its deadline).
        _tally.RunAsync(worker => RunWorkerAsync(worker, CancellationToken.None), server, channels.Count, progress, cancellationToken);

    private async Task RunWorkerAsync(LoadCaller worker, CancellationToken cancellationToken)
    {
        var client = new Resolution.ResolutionClient(channels[worker.Index % channels.Count]);
        switch (settings.Mode)
        {
            case "unary":
                while (!_tally.Stopping)
                {
                    var began = Stopwatch.GetTimestamp();
                    try
                    {
                        await client.ResolveAsync(new ResolveRequest { Identifier = keys.Next(worker.Random) }, call(cancellationToken)).ConfigureAwait(false);
                    }
                    catch (RpcException exception) when (!AnswersTheIdentifier(exception.StatusCode))
                    {
                        _tally.Refused(worker, ExitCodes.StatusName(exception.StatusCode));
                        continue;
                    }
                    catch (RpcException exception)
                    {
                        _tally.Failed(worker, ExitCodes.StatusName(exception.StatusCode));
                    }

                    _tally.Done(worker, began, 1);
                }

                break;
            case "batch":
                while (!_tally.Stopping)
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
                        _tally.Refused(worker, ExitCodes.StatusName(exception.StatusCode));
                        continue;
                    }

                    _tally.Done(worker, began, answered);
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
    private async Task StreamAsync(Resolution.ResolutionClient client, LoadCaller worker, CancellationToken cancellationToken)
    {
        var pause = TimeSpan.Zero;
        while (!_tally.Stopping)
        {
            var answeredBefore = worker.Answered;
            try
            {
                await OneStreamAsync(client, worker, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception exception)
            {
                _tally.Refused(worker, ExitCodes.StatusName(exception is RpcException rpc ? rpc.StatusCode : StatusCode.Unknown));
            }

            pause = worker.Answered > answeredBefore ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Clamp(pause.TotalMilliseconds * 2, 10, 1000));
            await Task.Delay(pause, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task OneStreamAsync(Resolution.ResolutionClient client, LoadCaller worker, CancellationToken cancellationToken)
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
                _tally.Done(worker, began, Item(worker, stream.ResponseStream.Current.Status));
                window.Release();
            }
        }, cancellationToken);

        while (!_tally.Stopping && !reader.IsCompleted)
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
    internal static bool AnswersTheIdentifier(StatusCode code) =>
        code is StatusCode.OK or StatusCode.NotFound or StatusCode.InvalidArgument or StatusCode.PermissionDenied or StatusCode.FailedPrecondition;

    // One item of a batch or stream: its status other than OK counts in errors; 1 if it answered its identifier.
    private int Item(LoadCaller worker, ItemStatus? status)
    {
        var code = (StatusCode)(status?.Code ?? 0);
        if (code != StatusCode.OK)
        {
            _tally.Failed(worker, ExitCodes.StatusName(code));
        }

        return AnswersTheIdentifier(code) ? 1 : 0;
    }
}
