using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Resolver.Server.Configuration;

namespace Resolver.Server.Calls;

/// <summary>
/// The per-caller token buckets of <c>--rate-limit</c> (System.Threading.RateLimiting), one bucket per partition for
/// every wire: a caller that spends its budget over gRPC has none left over REST or the Handle protocol. Partitions are
/// the authenticated caller, or the client address for anonymous callers and refused credentials (<see cref="AdmittedCall.Partition"/>).
/// </summary>
internal sealed class CallRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public CallRateLimiter(IOptions<SecurityOptions> settings)
    {
        Rate = settings.Value.RateLimitPerSecond;
        _limiter = Rate <= 0 ? null : PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Rate,
            TokensPerPeriod = Rate,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>Requests per second per partition; 0 or less: off.</summary>
    public int Rate { get; }

    /// <summary>True unless <c>--rate-limit off</c>.</summary>
    public bool IsOn => _limiter is not null;

    /// <summary>Takes one token of <paramref name="partition"/>; false (with the time to wait) when it has none left.</summary>
    public bool TryAcquire(string partition, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_limiter is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire(partition);
        if (lease.IsAcquired)
        {
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return false;
    }

    public void Dispose() => _limiter?.Dispose();
}
