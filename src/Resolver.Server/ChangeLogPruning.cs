using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Core.Storage;
using Resolver.Server.Configuration;

namespace Resolver.Server;

/// <summary>
/// Deletes changes older than <c>--change-retention-hours</c> from the change log, a minute apart, in batches of
/// <see cref="Batch"/> rows, each its own short transaction, so writes (which only append) never wait long behind it.
/// Every replica prunes; the deletions are idempotent.
/// </summary>
internal sealed partial class ChangeLogPruning(IChangeLog log, IOptions<ChangeLogOptions> options, TimeProvider time, ILogger<ChangeLogPruning> logger) : BackgroundService
{
    /// <summary>Most rows one transaction deletes.</summary>
    public const int Batch = 5000;

    /// <summary>Time between two pruning passes.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>One pass: prunes everything older than the retention; returns how many changes it deleted.</summary>
    public async Task<long> PruneOnceAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - TimeSpan.FromHours(options.Value.ChangeRetentionHours);
        long total = 0;
        int deleted;
        do
        {
            deleted = await log.PruneAsync(before, Batch, cancellationToken).ConfigureAwait(false);
            total += deleted;
        }
        while (deleted == Batch && !cancellationToken.IsCancellationRequested);

        if (total > 0)
        {
            LogPruned(logger, total, options.Value.ChangeRetentionHours);
        }

        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PruneOnceAsync(stoppingToken).ConfigureAwait(false);
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
            {
                // The store is down: writes fail too, so nothing grows; try again at the next pass.
                LogUnavailable(logger, exception);
                await Task.Delay(Interval, time, stoppingToken).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Pruned {Count} changes older than {Hours} h from the change log")]
    private static partial void LogPruned(ILogger logger, long count, int hours);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Pruning the change log failed: the store is unavailable; trying again in a minute")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}
