using Resolver.Core.Errors;
using Resolver.Core.Records;

namespace Resolver.Core.Registry;

/// <summary>
/// A condition a write puts on the record it finds, such as HTTP's <c>If-Match</c> and <c>If-None-Match</c> (RFC 9110
/// §13.1). <see cref="RecordWriter"/> checks it after the caller's right to write (so a caller who may not write is refused
/// as such, and audited) and against the very record its compare-and-set is made on (so nothing written in between
/// escapes it); a failure is audited as any refusal.
/// </summary>
/// <param name="live">The live record, or null when there is none (never registered, or deleted).</param>
/// <returns>Null when the write may go on; otherwise its refusal, e.g. ABORTED <c>precondition-failed</c>.</returns>
public delegate Problem? WritePrecondition(HandleRecord? live);

/// <summary>
/// One record write of a batch given to <see cref="RecordWriter"/>: which identifier, and what to make of its record.
/// The kinds are closed: <see cref="CreateRequest"/>, <see cref="UpdateRequest"/>, <see cref="DeleteRequest"/> and the
/// bulk <see cref="UpsertItem"/>; the writer holds the rule of each (<c>RecordWriter.Edit</c>).
/// </summary>
public abstract record WriteRequest
{
    // Closed: the writer knows every kind.
    private protected WriteRequest(string identifier) => Identifier = identifier;

    /// <summary>The identifier as the writer gave it; its answer and the audit log name it so.</summary>
    public string Identifier { get; }

    /// <summary>
    /// A condition on the record found, checked after authorization: for a create before its own rule (so that
    /// <c>If-None-Match: *</c> answers a record registered meanwhile), for an update or delete once the record is known
    /// to be live (a missing one is NOT_FOUND, as without the condition: RFC 9110 §13.2.1). Null: none.
    /// </summary>
    public WritePrecondition? Precondition { get; init; }
}

/// <summary>Register a new identifier with <paramref name="Values"/>; a deleted one only with <paramref name="ReuseDeleted"/> (SPEC §3).</summary>
/// <param name="Identifier">The identifier as the writer gave it.</param>
/// <param name="Values">The record's values.</param>
/// <param name="ReuseDeleted">Register again an identifier that was deleted.</param>
public sealed record CreateRequest(string Identifier, IReadOnlyList<ValueDraft> Values, bool ReuseDeleted) : WriteRequest(Identifier);

/// <summary>Change the values of a live record: remove <paramref name="RemoveIndexes"/>, then add or replace <paramref name="Values"/> (<see cref="ValueEditor"/>).</summary>
/// <param name="Identifier">The identifier as the writer gave it.</param>
/// <param name="Values">Values to add or replace.</param>
/// <param name="RemoveIndexes">Indexes of values to remove.</param>
/// <param name="ExpectedVersion">Only if the record still has this version (ABORTED otherwise); null: whatever it has.</param>
public sealed record UpdateRequest(string Identifier, IReadOnlyList<ValueDraft> Values, IReadOnlyList<int> RemoveIndexes, long? ExpectedVersion) : WriteRequest(Identifier)
{
    /// <summary>
    /// Refuse, ALREADY_EXISTS <c>value-exists</c>, when one of <see cref="Values"/> is at an index the record already holds
    /// (Handle.Net REST's <c>?overwrite=false</c>); checked by the writer after authorization, on the version it commits on.
    /// </summary>
    public bool KeepExistingValues { get; init; }
}

/// <summary>Delete a live record, leaving a tombstone (SPEC §3).</summary>
/// <param name="Identifier">The identifier as the writer gave it.</param>
/// <param name="ExpectedVersion">Only if the record still has this version (ABORTED otherwise); null: whatever it has.</param>
public sealed record DeleteRequest(string Identifier, long? ExpectedVersion) : WriteRequest(Identifier);
