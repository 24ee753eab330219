using Resolver.Core.Errors;

namespace Resolver.Core.Registry;

/// <summary>One record of a bulk upsert: its identifier and the whole set of values it should have.</summary>
/// <param name="Identifier">The identifier as the writer gave it.</param>
/// <param name="Values">The values, replacing all the record has.</param>
/// <param name="ReuseDeleted">Register again an identifier that was deleted.</param>
/// <param name="Malformed">Why the item could not even be read (e.g. a value without data); it fails with this problem.</param>
public sealed record UpsertItem(string Identifier, IReadOnlyList<ValueDraft> Values, bool ReuseDeleted = false, Problem? Malformed = null) : WriteRequest(Identifier);
