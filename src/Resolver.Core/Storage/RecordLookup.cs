using Resolver.Core.Errors;
using Resolver.Core.Records;

namespace Resolver.Core.Storage;

/// <summary>What the read path found for one key: a record (or tombstone), nothing, or a problem reaching it.</summary>
/// <param name="Record">The record; null when none exists (or none could be read).</param>
/// <param name="Stale">The record came from a cache past its freshness because the store was unreachable.</param>
/// <param name="Problem">Why nothing could be read (e.g. the store is unavailable and nothing was cached).</param>
/// <param name="Trace">For a record fetched from other nodes just now: the sites asked, in order; null when read here or from a cache.</param>
/// <param name="HeldByL1">
/// An L1 hit: the record is the very instance the in-process cache holds and answers again, so what a transport derives
/// from it (its answer message, its encoding) is worth keeping beside it. False for a record read for this call from
/// Redis, the store or another site (when L1 takes it, its hits are marked from the next call on) and for a stale
/// answer: what was derived from those would only outlive the call as garbage.
/// </param>
public readonly record struct RecordLookup(HandleRecord? Record, bool Stale = false, Problem? Problem = null, IReadOnlyList<Resolution.Hop>? Trace = null, bool HeldByL1 = false);
