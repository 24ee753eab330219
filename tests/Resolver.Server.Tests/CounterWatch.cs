using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Caching;

namespace Resolver.Server.Tests;

/// <summary>Sums one counter of one server's <see cref="CacheMetrics"/> while alive.</summary>
internal sealed class CounterWatch : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CounterWatch(TestServer server, string name)
    {
        var meter = server.Services.GetRequiredService<CacheMetrics>().Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter && instrument.Name == name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
