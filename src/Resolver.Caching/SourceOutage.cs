using Resolver.Core.Errors;
using Resolver.Core.Storage;

namespace Resolver.Caching;

/// <summary>
/// Whether the stage behind the cache is known to be down (RFC 8767: it failed or did not answer within the
/// stale-answer client timeout). While it is, the cache answers from what it holds at once, and a background probe
/// through the next stage, at most one per <see cref="ProbeInterval"/>, notices when it is back.
/// </summary>
internal sealed class SourceOutage(TimeProvider time)
{
    /// <summary>How often a down source is probed.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    // Not an identifier key (it has no '/'), so the probe reads nothing real and fills nothing.
    private const string ProbeKey = "resolver:probe";

    private volatile bool _down;
    private long _lastProbe = long.MinValue;
    private int _probing;

    /// <summary>True from a failure or time-out of the next stage until a probe gets an answer.</summary>
    public bool IsDown => _down;

    /// <summary>Marks the source down; the read that failed counts as the first probe.</summary>
    public void MarkDown()
    {
        if (!_down)
        {
            Interlocked.Exchange(ref _lastProbe, time.GetTimestamp());
            _down = true;
        }
    }

    /// <summary>Marks the source answering again.</summary>
    public void MarkUp() => _down = false;

    /// <summary>Starts a probe of <paramref name="next"/> in the background unless one is running or ran within the interval.</summary>
    public void ProbeIfDue(IRecordSource next)
    {
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastProbe);
        if (last != long.MinValue && time.GetElapsedTime(last, now) < ProbeInterval)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _probing, 1, 0) != 0)
        {
            return;
        }

        Interlocked.Exchange(ref _lastProbe, now);
        _ = ProbeAsync(next);
    }

    private async Task ProbeAsync(IRecordSource next)
    {
        try
        {
            var answer = await next.GetManyAsync([new RecordKey(ProbeKey)], ReadContext.None, CancellationToken.None).ConfigureAwait(false);
            if (answer[0].Problem is not { Kind: ErrorKind.Unavailable })
            {
                MarkUp();
            }
        }
        catch (Exception exception) when (exception is ResolverException or OperationCanceledException or TimeoutException)
        {
            // Still down; the next request after the interval probes again.
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }
}
