using Resolver.Core;
using Resolver.Core.Identifiers;

namespace Resolver.Server.Configuration;

/// <summary>What one request may ask and how identifiers are read (flags in <see cref="ServerSettings"/>; SPEC §2, §8).</summary>
public sealed class LimitOptions
{
    /// <summary>Compare suffixes case-sensitively (default: ASCII case is ignored, as in Handle.Net).</summary>
    public bool CaseSensitiveSuffix { get; set; }

    /// <summary>Longest identifier in code points after NFC.</summary>
    [SettingRange(1, IdentifierSyntax.MaxBytes)]
    public int MaxIdentifierLength { get; set; } = IdentifierSyntax.DefaultMaxLength;

    /// <summary>Most identifiers in one BatchResolve.</summary>
    [SettingRange(1, 100_000)]
    public int MaxBatchSize { get; set; } = ResolverLimits.Default.MaxBatchSize;

    /// <summary>Most values in one record.</summary>
    [SettingRange(1, 100_000)]
    public int MaxValuesPerRecord { get; set; } = ResolverLimits.Default.MaxValuesPerRecord;

    /// <summary>Largest value payload in bytes.</summary>
    [SettingRange(1, 16 * 1024 * 1024)]
    public int MaxValueBytes { get; set; } = ResolverLimits.Default.MaxValueBytes;

    /// <summary>Most live (not revoked) API keys one enterprise may hold.</summary>
    [SettingRange(1, 1_000_000)]
    public int MaxKeysPerEnterprise { get; set; } = ResolverLimits.Default.MaxKeysPerEnterprise;

    /// <summary>
    /// Most BulkUpsert streams the node runs at once; more wait for a slot. Each holds up to 64 MiB of requests (more with a
    /// larger --max-message-bytes), and the derived GC heap limit counts each (HeapLimit.Derive): past it, the runtime
    /// would stop the node with "Out of memory" rather than slow it.
    /// </summary>
    [SettingRange(1, 64)]
    public int MaxBulkStreams { get; set; } = 1;

    /// <summary>Longest a unary call may run, in seconds, whatever deadline the caller set (streams are not limited).</summary>
    [SettingRange(1, 3600)]
    public int MaxRequestSeconds { get; set; } = 30;

    /// <summary>Largest gRPC request message in bytes.</summary>
    [SettingRange(64 * 1024, 256 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The identifier syntax these settings describe.</summary>
    public IdentifierSyntax ToSyntax() => new() { CaseSensitiveSuffix = CaseSensitiveSuffix, MaxLength = MaxIdentifierLength };

    /// <summary>The limits these settings describe.</summary>
    public ResolverLimits ToLimits() => new()
    {
        MaxBatchSize = MaxBatchSize,
        MaxValuesPerRecord = MaxValuesPerRecord,
        MaxValueBytes = MaxValueBytes,
        MaxKeysPerEnterprise = MaxKeysPerEnterprise,
        MaxRecordBytes = MaxMessageBytes - ResolverLimits.AnswerEnvelope,
    };
}
