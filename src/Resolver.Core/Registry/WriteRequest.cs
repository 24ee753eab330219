namespace Resolver.Core.Registry;

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
public sealed record UpdateRequest(string Identifier, IReadOnlyList<ValueDraft> Values, IReadOnlyList<int> RemoveIndexes, long? ExpectedVersion) : WriteRequest(Identifier);

/// <summary>Delete a live record, leaving a tombstone (SPEC §3).</summary>
/// <param name="Identifier">The identifier as the writer gave it.</param>
/// <param name="ExpectedVersion">Only if the record still has this version (ABORTED otherwise); null: whatever it has.</param>
public sealed record DeleteRequest(string Identifier, long? ExpectedVersion) : WriteRequest(Identifier);
