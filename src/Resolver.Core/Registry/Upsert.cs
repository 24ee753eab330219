using Resolver.Core.Errors;

namespace Resolver.Core.Registry;

/// <summary>One record of a bulk upsert: its identifier and the whole set of values it should have.</summary>
/// <param name="Identifier">The identifier as the writer gave it.</param>
/// <param name="Values">The values, replacing all the record has.</param>
/// <param name="ReuseDeleted">Register again an identifier that was deleted.</param>
/// <param name="Malformed">Why the item could not even be read (e.g. a value without data); it fails with this problem.</param>
public sealed record UpsertItem(string Identifier, IReadOnlyList<ValueDraft> Values, bool ReuseDeleted = false, Problem? Malformed = null);

/// <summary>What a bulk upsert did with one record.</summary>
public enum UpsertOutcome
{
    Created = 1,
    Updated = 2,
    Unchanged = 3,
    Failed = 4,
}

/// <summary>The answer to one <see cref="UpsertItem"/>.</summary>
/// <param name="Identifier">The identifier as the writer gave it.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Version">The record's version afterwards; 0 when failed.</param>
/// <param name="Problem">Why it failed; null otherwise.</param>
public sealed record UpsertResult(string Identifier, UpsertOutcome Outcome, long Version, Problem? Problem);
