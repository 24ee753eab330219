using Resolver.Core.Errors;
using Resolver.Core.Records;

namespace Resolver.Core.Registry;

/// <summary>What <see cref="RecordWriter"/> did with one <see cref="WriteRequest"/>.</summary>
public enum WriteOutcome
{
    Created = 1,
    Updated = 2,

    /// <summary>An upsert found the record exactly as asked: nothing written, the version stays.</summary>
    Unchanged = 3,
    Failed = 4,
    Deleted = 5,
}

/// <summary>The answer to one <see cref="WriteRequest"/>, at its place in the batch.</summary>
/// <param name="Identifier">The identifier as the request gave it.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Record">The record as committed (a tombstone for a delete), or as it stands when unchanged; null when failed.</param>
/// <param name="Problem">Why it failed (also in the audit log); null otherwise.</param>
public sealed record WriteResult(string Identifier, WriteOutcome Outcome, HandleRecord? Record, Problem? Problem)
{
    /// <summary>The record's version afterwards; 0 when failed.</summary>
    public long Version => Record?.Version ?? 0;
}
