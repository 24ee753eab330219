using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Resolver.Handle;

namespace Resolver.Cli.Bench;

/// <summary>
/// The Handle protocol load (<c>resolver bench --protocol handle-udp|handle-tcp</c>): resolution requests, one
/// identifier each (the protocol has no batch). Over TCP the callers share <c>--connections</c> persistent connections,
/// their requests pipelined on each (<see cref="HandleConnection"/>, answers matched by request id); over UDP each
/// caller has its own socket and one request in flight, and an answer that does not come within the UDP timeout counts
/// as a refused call (DEADLINE_EXCEEDED), as a lost datagram is to a real client. Answers are named by the status the
/// node's own metrics count them under (<see cref="ResponseCode.StatusOf"/>: 100, 200 and 301 NOT_FOUND, 402
/// PERMISSION_DENIED, 3 RESOURCE_EXHAUSTED, 2 UNAVAILABLE, …) and sorted into answered and refused as gRPC's are.
/// </summary>
internal sealed class HandleLoad(LoadSettings settings, KeyPicker keys, HandleTarget target, TimeSpan timeout)
{
    private readonly LoadTally _tally = new(settings);

    /// <summary>Runs the load; <paramref name="connections"/> is used by TCP only.</summary>
    public async Task<LoadReport> RunAsync(int connections, Action<string> progress, CancellationToken cancellationToken)
    {
        if (target.Udp)
        {
            var server = await target.EndpointAsync(cancellationToken).ConfigureAwait(false);
            return await _tally.RunAsync(caller => UdpCallerAsync(caller, server), target.Address, settings.Concurrency, progress, cancellationToken).ConfigureAwait(false);
        }

        // Each connection carries the requests of its share of the callers at once.
        var inFlight = (settings.Concurrency + connections - 1) / connections;
        var clients = Enumerable.Range(0, connections).Select(_ => new HandleClient(target.Host, target.Port, TimeProvider.System, timeout, inFlight)).ToArray();
        try
        {
            return await _tally.RunAsync(caller => TcpCallerAsync(caller, clients[caller.Index % clients.Length]), target.Address, connections, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task UdpCallerAsync(LoadCaller caller, IPEndPoint server)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        var requestId = caller.Random.Next(1, int.MaxValue / 2);
        var pause = TimeSpan.Zero;
        while (!_tally.Stopping)
        {
            var request = Request(caller);
            var began = Stopwatch.GetTimestamp();
            string? refusal;
            try
            {
                var answer = await HandleDatagramClient.SendAsync(socket, requestId++ & int.MaxValue, request, timeout, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
                refusal = Answered(caller, began, answer.Code);
            }
            catch (TimeoutException)
            {
                refusal = ExitCodes.StatusName(StatusCode.DeadlineExceeded);
            }
            catch (SocketException)
            {
                refusal = ExitCodes.StatusName(StatusCode.Unavailable); // ICMP port unreachable: nothing listens there
            }
            catch (HandleProtocolException)
            {
                refusal = ExitCodes.StatusName(StatusCode.Internal); // an answer that cannot be read
            }

            pause = await RefusedAsync(caller, refusal, pause).ConfigureAwait(false);
        }
    }

    private async Task TcpCallerAsync(LoadCaller caller, HandleClient client)
    {
        var pause = TimeSpan.Zero;
        while (!_tally.Stopping)
        {
            var identifier = keys.Next(caller.Random);
            var began = Stopwatch.GetTimestamp();
            string? refusal;
            try
            {
                using var deadline = new CancellationTokenSource(timeout);
                var answer = await client.ResolveAsync(new ResolutionRequest(identifier, [], []), OpFlags.None, HandleTransport.Tcp, deadline.Token).ConfigureAwait(false);
                refusal = Answered(caller, began, answer.Code);
            }
            catch (OperationCanceledException)
            {
                refusal = ExitCodes.StatusName(StatusCode.DeadlineExceeded);
            }
            catch (IOException)
            {
                refusal = ExitCodes.StatusName(StatusCode.Unavailable); // the connection failed or could not be made
            }
            catch (HandleProtocolException)
            {
                refusal = ExitCodes.StatusName(StatusCode.Internal);
            }

            pause = await RefusedAsync(caller, refusal, pause).ConfigureAwait(false);
        }
    }

    private Action<MessageBuffer, int> Request(LoadCaller caller)
    {
        var request = new ResolutionRequest(keys.Next(caller.Random), [], []);
        return (buffer, id) => RequestWriter.Resolution(buffer, id, request, OpFlags.None, TimeProvider.System.GetUtcNow());
    }

    // An answer: counted as gRPC's unary call with the same status would be. Returns the status name when the answer
    // refused the call (over the rate limit, unavailable), which then counts apart from throughput and latency.
    private string? Answered(LoadCaller caller, long began, int code)
    {
        var status = (StatusCode)ResponseCode.StatusOf(code);
        if (!LoadRun.AnswersTheIdentifier(status))
        {
            return ExitCodes.StatusName(status);
        }

        if (status != StatusCode.OK)
        {
            _tally.Failed(caller, ExitCodes.StatusName(status));
        }

        _tally.Done(caller, began, 1);
        return null;
    }

    // A refused call is counted; while calls keep failing the caller pauses, doubling from 10 ms to 1 s, so that a
    // node that is down is not hammered (a timeout has waited already).
    private async Task<TimeSpan> RefusedAsync(LoadCaller caller, string? refusal, TimeSpan pause)
    {
        if (refusal is null)
        {
            return TimeSpan.Zero;
        }

        _tally.Refused(caller, refusal);
        if (refusal == ExitCodes.StatusName(StatusCode.DeadlineExceeded))
        {
            return pause;
        }

        pause = TimeSpan.FromMilliseconds(Math.Clamp(pause.TotalMilliseconds * 2, 10, 1000));
        await Task.Delay(pause, CancellationToken.None).ConfigureAwait(false);
        return pause;
    }
}
