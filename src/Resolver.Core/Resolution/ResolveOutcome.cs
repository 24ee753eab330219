using Resolver.Core.Errors;
using Resolver.Core.Records;

namespace Resolver.Core.Resolution;

/// <summary>The answer for one identifier: a record, or a problem saying why there is none.</summary>
/// <param name="Identifier">The identifier exactly as it was asked for.</param>
/// <param name="Record">The record with its values filtered; null when <paramref name="Problem"/> is set.</param>
/// <param name="Problem">Why there is no record; null on success.</param>
/// <param name="Stale">True when served from a cache past its freshness because the source was unreachable.</param>
public sealed record ResolveOutcome(string Identifier, HandleRecord? Record, Problem? Problem, bool Stale = false)
{
    /// <summary>A failed outcome.</summary>
    public static ResolveOutcome Failed(string identifier, Problem problem) => new(identifier, null, problem);
}
