namespace Resolver.HandlePerf;

/// <summary>
/// What one flow (socket or connection) counted since it started. Written by its thread only; the main thread reads
/// them at the start and the end of the measurement (64-bit reads are whole on the platforms this runs on, and a count
/// read a moment early is off by the requests of that moment).
/// </summary>
internal sealed class FlowCounts
{
    /// <summary>Response codes below this are counted each on its own; any other in the last bucket.</summary>
    public const int CodeBuckets = 1024;

    public long Sent;
    public long Completed;
    public long Lost;
    public long Stray;
    public long LatencyTicks;
    public readonly long[] Codes = new long[CodeBuckets];

    /// <summary>Counts one answer with <paramref name="code"/> that took <paramref name="ticks"/> (Stopwatch ticks).</summary>
    public void Answer(int code, long ticks)
    {
        Completed++;
        LatencyTicks += ticks;
        Codes[code is >= 0 and < CodeBuckets - 1 ? code : CodeBuckets - 1]++;
    }

    /// <summary>Adds these counts to <paramref name="total"/>.</summary>
    public void AddTo(FlowCounts total)
    {
        total.Sent += Volatile.Read(ref Sent);
        total.Completed += Volatile.Read(ref Completed);
        total.Lost += Volatile.Read(ref Lost);
        total.Stray += Volatile.Read(ref Stray);
        total.LatencyTicks += Volatile.Read(ref LatencyTicks);
        for (var i = 0; i < CodeBuckets; i++)
        {
            total.Codes[i] += Volatile.Read(ref Codes[i]);
        }
    }

    /// <summary>These counts less <paramref name="earlier"/>'s: what happened between two readings.</summary>
    public FlowCounts Since(FlowCounts earlier)
    {
        var difference = new FlowCounts
        {
            Sent = Sent - earlier.Sent,
            Completed = Completed - earlier.Completed,
            Lost = Lost - earlier.Lost,
            Stray = Stray - earlier.Stray,
            LatencyTicks = LatencyTicks - earlier.LatencyTicks,
        };
        for (var i = 0; i < CodeBuckets; i++)
        {
            difference.Codes[i] = Codes[i] - earlier.Codes[i];
        }

        return difference;
    }
}
