namespace Resolver.Core;

/// <summary>The limits a node enforces on requests and records; reported to clients by GetServerInfo.</summary>
public sealed record ResolverLimits
{
    /// <summary>Most identifiers in one BatchResolve.</summary>
    public int MaxBatchSize { get; init; } = 2000;

    /// <summary>Most values in one record.</summary>
    public int MaxValuesPerRecord { get; init; } = 1000;

    /// <summary>Largest value payload in bytes.</summary>
    public int MaxValueBytes { get; init; } = 64 * 1024;

    /// <summary>Most type and index filters in one query (SPEC §3: a value matching either list is returned); more is INVALID_ARGUMENT on every wire.</summary>
    public int MaxFiltersPerQuery { get; init; } = 100;

    /// <summary>
    /// Most type and index filters in one request, all its queries together (a BatchResolve of 2,000 queries may carry 5
    /// each, one of 100 queries the full 100): bounds the filter work one request may cost; more is INVALID_ARGUMENT
    /// <c>too-many-filters</c> for the whole request.
    /// </summary>
    public int MaxFiltersPerRequest { get; init; } = 10_000;

    /// <summary>
    /// Most live (not revoked) API keys one enterprise may hold; one more is FAILED_PRECONDITION <c>too-many-keys</c>.
    /// Bounds what a single enterprise can add to every replica's in-memory access directory.
    /// </summary>
    public int MaxKeysPerEnterprise { get; init; } = 1000;

    /// <summary>Longest value type, in characters.</summary>
    public int MaxTypeLength { get; init; } = 128;

    /// <summary>Largest a record may grow, counted by <see cref="Records.RecordSize.UpperBound"/>: the message limit less room for the answer's envelope.</summary>
    public long MaxRecordBytes { get; init; } = (4 * 1024 * 1024) - AnswerEnvelope;

    /// <summary>Bytes of an answer that are not the record: the identifier as asked (at most 2048 bytes), status and framing.</summary>
    public const int AnswerEnvelope = 4096;

    /// <summary>The defaults.</summary>
    public static ResolverLimits Default { get; } = new();
}
