using Resolver.Core.Errors;
using Resolver.Core.Records;

namespace Resolver.Core.Resolution;

/// <summary>The answer for one identifier: a record, a referral to the site that serves it, or a problem saying why there is neither.</summary>
/// <param name="Identifier">The identifier exactly as it was asked for.</param>
/// <param name="Record">The record with its values filtered; null when <paramref name="Problem"/> or <paramref name="Referral"/> is set.</param>
/// <param name="Problem">Why there is no record; null on success.</param>
/// <param name="Stale">True when served from a cache past its freshness because the source was unreachable.</param>
/// <param name="Referral">Set instead of a record when the identifier's prefix is delegated to another site.</param>
/// <param name="Trace">For identifiers under delegated prefixes: this node, then each site asked, in order.</param>
/// <param name="HeldByL1">
/// <paramref name="Record"/> is the very instance the in-process cache holds, answered whole (see <see cref="Storage.RecordLookup.HeldByL1"/>);
/// false for a copy with values hidden or shortened, or a record read for this call only.
/// </param>
public sealed record ResolveOutcome(string Identifier, HandleRecord? Record, Problem? Problem, bool Stale = false, Referral? Referral = null, IReadOnlyList<Hop>? Trace = null, bool HeldByL1 = false)
{
    /// <summary>A failed outcome.</summary>
    public static ResolveOutcome Failed(string identifier, Problem problem) => new(identifier, null, problem);

    /// <summary>An outcome that sends the caller to the site serving the identifier.</summary>
    public static ResolveOutcome Referred(string identifier, Referral referral) => new(identifier, null, null, Referral: referral);
}
