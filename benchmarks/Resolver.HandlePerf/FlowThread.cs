using System.Diagnostics;
using System.Net.Sockets;

namespace Resolver.HandlePerf;

/// <summary>
/// One thread driving its share of the flows, as dnsperf's threads do: fill every window, wait (poll) until a socket has
/// something to read, read everything that arrived, and every 50 ms give up on requests older than the timeout. No
/// task, no allocation per request: the load generator spends its CPU on system calls, not on itself.
/// </summary>
internal sealed class FlowThread
{
    private static readonly long ExpireEvery = Stopwatch.Frequency / 20;
    private readonly Flow[] _flows;
    private readonly long _timeoutTicks;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public FlowThread(Flow[] flows, TimeSpan timeout, int number)
    {
        _flows = flows;
        _timeoutTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        _thread = new Thread(Run) { IsBackground = true, Name = $"handleperf-{number}" };
    }

    /// <summary>The socket error that ended the thread early, if one did.</summary>
    public SocketException? Failure { get; private set; }

    public void Start() => _thread.Start();

    /// <summary>Stops after the round under way (at most one poll, 10 ms) and waits for it.</summary>
    public void Stop()
    {
        _stopping = true;
        _thread.Join();
    }

    private void Run()
    {
        var polled = new List<Flow>(_flows.Length);
        var readable = new List<Socket>(_flows.Length);
        var failed = new List<Socket>(_flows.Length); // a pending socket error (ICMP port unreachable) is read like data, which clears it
        var lastExpiry = Stopwatch.GetTimestamp();
        try
        {
            while (!_stopping)
            {
                var now = Stopwatch.GetTimestamp();
                var pending = false;
                polled.Clear();
                readable.Clear();
                failed.Clear();
                foreach (var flow in _flows)
                {
                    flow.Fill(now);
                    pending |= flow is TcpFlow { Pending: true };
                    if (flow.Outstanding > 0 && !flow.Closed)
                    {
                        polled.Add(flow);
                        readable.Add(flow.Socket);
                        failed.Add(flow.Socket);
                    }
                }

                if (readable.Count == 0)
                {
                    Thread.Sleep(1); // every flow closed, or every send refused for now
                    continue;
                }

                Socket.Select(readable, null, failed, pending ? 100 : 10_000);
                now = Stopwatch.GetTimestamp();
                // Select keeps the ready sockets in the order given: one walk over the flows polled finds theirs.
                var (r, f) = (0, 0);
                foreach (var flow in polled)
                {
                    var ready = false;
                    if (r < readable.Count && ReferenceEquals(readable[r], flow.Socket))
                    {
                        (ready, r) = (true, r + 1);
                    }

                    if (f < failed.Count && ReferenceEquals(failed[f], flow.Socket))
                    {
                        (ready, f) = (true, f + 1);
                    }

                    if (ready)
                    {
                        flow.Receive(now);
                    }
                }

                if (now - lastExpiry > ExpireEvery)
                {
                    lastExpiry = now;
                    foreach (var flow in _flows)
                    {
                        flow.Expire(now - _timeoutTicks);
                    }
                }
            }
        }
        catch (SocketException exception)
        {
            Failure = exception;
        }
    }
}
