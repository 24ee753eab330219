using System.Diagnostics.Metrics;
using Resolver.Caching;
using Resolver.Core.Storage;

namespace Resolver.Server.Telemetry;

/// <summary>
/// The change feed's lag as a gauge (Prometheus <c>resolver_change_feed_lag_seconds</c>): how long ago this replica
/// last read the store's change log to its end, the bound on how stale its caches can be after a write elsewhere.
/// </summary>
internal sealed class ChangeFeedMetrics : IDisposable
{
    private readonly Meter _meter;

    public ChangeFeedMetrics(IMeterFactory meterFactory, ChangeFeed feed)
    {
        _meter = meterFactory.Create(CacheMetrics.MeterName);
        _meter.CreateObservableGauge("resolver.change_feed.lag", () => feed.LagSeconds, unit: "s",
            description: "seconds since this replica last read the change log to its end (about --change-poll-ms when healthy)");
    }

    public void Dispose() => _meter.Dispose();
}
