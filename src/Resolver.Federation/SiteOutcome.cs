using Resolver.Core.Errors;
using Resolver.Core.Records;
using Resolver.Core.Resolution;
using ResolveResult = Resolver.Protocol.V1.ResolveResult;

namespace Resolver.Federation;

/// <summary>How the <see cref="IterativeResolver"/> ended for one identifier: a record, not registered, or a problem; always with the sites asked.</summary>
/// <param name="Record">The record the authoritative site answered, checked against the reader's limits; null when none.</param>
/// <param name="Answer">The last site's answer as it sent it (a record, or the not-found status), checked; null when the resolver ended with a problem.</param>
/// <param name="Problem">Why the identifier could not be resolved (unreachable, refused, a loop, a lame delegation, an invalid answer…); null otherwise.</param>
/// <param name="Trace">Every hop, in order: <see cref="SiteQuery.TraceSoFar"/>, then each site asked.</param>
public sealed record SiteOutcome(HandleRecord? Record, ResolveResult? Answer, Problem? Problem, IReadOnlyList<Hop> Trace)
{
    /// <summary>True when the authoritative site says the identifier is not registered there (or the upstream knows no such prefix).</summary>
    public bool NotRegistered => Record is null && Problem is null;
}
