using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Resolver.Caching;
using Resolver.Server.Api;
using Resolver.Server.Configuration;

namespace Resolver.Server;

/// <summary>
/// Keeps the process inside its memory budget: before anything else starts, sets the GC heap's hard limit to what the
/// node needs (<see cref="Derive"/>: the L1 budget, room for the collector and calls in flight, and a bulk import's
/// buffers) unless the operator chose a limit (<c>--heap-limit-mb</c>, docs/operations.md). Without a limit .NET's
/// server GC keeps what it is allowed (about 1.1 GB committed around a 256 MiB L1 in the soak, benchmarks/README.md).
/// The limit in force is logged at start and is the gauge <c>resolver.gc.heap_limit</c>.
/// </summary>
internal sealed partial class HeapLimit : IHostedLifecycleService, IDisposable
{
    /// <summary>
    /// The heap the collector needs beyond L1 and a bulk import: generation 0's allocation budgets, the answers of the
    /// calls in flight and fragmentation. Measured: a 512 MiB limit around a 256 MiB L1 (256 MiB of room) ran the
    /// 10-minute soak at full throughput, 336 MiB (80 MiB of room) ended the node with "Out of memory".
    /// </summary>
    public const long WorkingRoomBytes = 128L * 1024 * 1024;

    /// <summary>
    /// What a node's process holds beyond its GC heap (the runtime, code, thread stacks, SQLite's page cache): about
    /// 170 MiB measured. A container's memory limit allows this much above the heap limit (k8s/base/server/deployment.yaml).
    /// </summary>
    public const long OutsideHeapBytes = 256L * 1024 * 1024;

    private readonly IGcHeapLimit _runtime;
    private readonly OperationsOptions _operations;
    private readonly CacheTierOptions _cache;
    private readonly LimitOptions _limits;
    private readonly Meter _meter;
    private readonly ILogger<HeapLimit> _logger;

    public HeapLimit(IGcHeapLimit runtime, IOptions<OperationsOptions> operations, IOptions<CacheTierOptions> cache, IOptions<LimitOptions> limits, IMeterFactory meterFactory, ILogger<HeapLimit> logger)
    {
        _runtime = runtime;
        _operations = operations.Value;
        _cache = cache.Value;
        _limits = limits.Value;
        _logger = logger;
        _meter = meterFactory.Create(CacheMetrics.MeterName);
        _meter.CreateObservableGauge("resolver.gc.heap_limit", () => _runtime.AvailableBytes, unit: "By",
            description: "bytes the GC heap may take: its hard limit (--heap-limit-mb), or the machine's or container's memory without one");
    }

    /// <summary>
    /// The heap a node needs: its L1 budget (<c>--l1-max-mb</c>, which L1 never exceeds), <see cref="WorkingRoomBytes"/>,
    /// and each bulk import's request bytes (<see cref="BulkReadAhead"/>: read-ahead and the chunk being committed, each
    /// at least one request of <c>--max-message-bytes</c>), counted twice: as wire bytes and as the messages parsed from them;
    /// <c>--max-bulk-streams</c> of them run at once (<see cref="Api.BulkStreamSlots"/>).
    /// </summary>
    public static long Derive(int l1MaxMb, int maxMessageBytes, int bulkStreams = 1)
    {
        var bulkImport = Math.Max(BulkReadAhead.BufferedBytes, maxMessageBytes) + Math.Max(BulkReadAhead.ChunkBytes, maxMessageBytes);
        return (l1MaxMb * 1024L * 1024) + WorkingRoomBytes + (bulkStreams * 2 * bulkImport);
    }

    /// <summary>
    /// What to do: the bytes to set as the limit, or null to leave the runtime's; and why, for the start-up log.
    /// </summary>
    /// <param name="setting"><see cref="OperationsOptions.HeapLimitSetting"/>: -1 auto, 0 off, MiB otherwise.</param>
    /// <param name="derivedBytes"><see cref="Derive"/>'s limit.</param>
    /// <param name="operatorSetting">The runtime setting that gave the process a limit when it started, if any.</param>
    /// <param name="availableBytes">What the GC may use now: its limit, or the machine's or container's memory.</param>
    public static (long? Bytes, string Reason) Choose(int setting, long derivedBytes, string? operatorSetting, long availableBytes) => setting switch
    {
        > 0 => (setting * 1024L * 1024, "set by --heap-limit-mb"),
        0 => (null, "the runtime's own (--heap-limit-mb off)"),
        _ when operatorSetting is not null => (null, $"set by {operatorSetting}"),
        _ when availableBytes <= derivedBytes => (null, "the runtime's own (a container's memory limit), no more than the derived one"),
        _ => (derivedBytes, "derived from --l1-max-mb, --max-message-bytes and --max-bulk-streams"),
    };

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var derived = Derive(_cache.L1MaxMb, _limits.MaxMessageBytes, _limits.MaxBulkStreams);
        var (bytes, reason) = Choose(_operations.HeapLimitSetting ?? -1, derived, _runtime.OperatorSetting, _runtime.AvailableBytes);
        if (bytes is { } limit)
        {
            try
            {
                _runtime.Apply(limit);
            }
            catch (InvalidOperationException exception)
            {
                throw new SettingsException($"--heap-limit-mb {limit / (1024 * 1024)} is less than the heap already holds ({exception.Message}); give more, or off");
            }

            if (limit < derived)
            {
                LogBelowDerived(_logger, limit / (1024 * 1024), derived / (1024 * 1024));
            }
        }

        LogChosen(_logger, _runtime.AvailableBytes / (1024 * 1024), reason);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _meter.Dispose();

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "GC heap limit {LimitMb} MiB: {Reason}")]
    private static partial void LogChosen(ILogger logger, long limitMb, string reason);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "--heap-limit-mb {LimitMb} is below the {DerivedMb} MiB the L1 budget and the request limits call for: under load the runtime may stop the node with \"Out of memory\"")]
    private static partial void LogBelowDerived(ILogger logger, long limitMb, long derivedMb);
}

/// <summary>The process's GC heap hard limit, behind an interface so that tests of the host never cap the test process.</summary>
internal interface IGcHeapLimit
{
    /// <summary>The runtime setting that gave the process a heap limit when it started (e.g. DOTNET_GCHeapHardLimit); null when none did.</summary>
    string? OperatorSetting { get; }

    /// <summary>Bytes the GC may use now: its hard limit, or the machine's or container's memory without one.</summary>
    long AvailableBytes { get; }

    /// <summary>Sets the hard limit; throws <see cref="InvalidOperationException"/> when the heap already holds more.</summary>
    void Apply(long bytes);
}

/// <summary>This process's GC (.NET 8+ lets a running process change its hard limit).</summary>
internal sealed class ProcessGcHeapLimit : IGcHeapLimit
{
    // The runtime's names for a heap limit: variables take DOTNET_ or COMPlus_ before them, runtimeconfig.json's
    // configProperties the System.GC. ones. Any of them means the operator chose.
    private static readonly string[] VariableSuffixes = ["GCHeapHardLimit", "GCHeapHardLimitPercent", "GCHeapHardLimitSOH", "GCHeapHardLimitLOH", "GCHeapHardLimitPOH", "GCHeapHardLimitSOHPercent", "GCHeapHardLimitLOHPercent", "GCHeapHardLimitPOHPercent"];

    public string? OperatorSetting { get; } = FindOperatorSetting();

    public long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    public void Apply(long bytes)
    {
        AppContext.SetData("GCHeapHardLimit", (ulong)bytes);
        GC.RefreshMemoryLimit();
    }

    private static string? FindOperatorSetting()
    {
        foreach (var suffix in VariableSuffixes)
        {
            foreach (var name in (string[])[$"DOTNET_{suffix}", $"COMPlus_{suffix}"])
            {
                if (Environment.GetEnvironmentVariable(name) is { Length: > 0 })
                {
                    return name;
                }
            }

            var property = "System.GC." + suffix["GC".Length..];
            if (AppContext.GetData(property) is not null)
            {
                return property + " (runtimeconfig.json)";
            }
        }

        return null;
    }
}
