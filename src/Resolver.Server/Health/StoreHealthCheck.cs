using Microsoft.Extensions.Diagnostics.HealthChecks;
using Resolver.Core.Errors;
using Resolver.Core.Storage;

namespace Resolver.Server.Health;

/// <summary>Healthy when the store's schema is up to date and the record store answers a trivial query within the probe's time.</summary>
internal sealed class StoreHealthCheck(IRecordStore store, StoreMigration migration) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!migration.IsMigrated)
        {
            return HealthCheckResult.Unhealthy("the store's schema is not up to date yet (the store was unavailable at start)");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await store.PingAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (ResolverException exception)
        {
            return HealthCheckResult.Unhealthy("the store is unavailable", exception.InnerException);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"the store did not answer within {Timeout.TotalSeconds:0} s");
        }
    }
}
