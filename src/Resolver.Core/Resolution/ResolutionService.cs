using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Security;
using Resolver.Core.Storage;

namespace Resolver.Core.Resolution;

/// <summary>
/// The resolution path, top to bottom: grammar → authority (a route: local, delegated to a site, or unknown) →
/// records (one batched read through the resolution chain, <see cref="RecordSourceChain"/>) → value filter → what the
/// caller may see. Unary, batch and stream calls all come through the batch <c>ResolveAsync</c>, so they cannot disagree.
/// A delegated prefix is answered with a referral, or, on a recursive node, read through the same chain, whose site
/// stage asks the delegation's site as this node (never with the caller's credentials, SPEC §4; docs/federation.md).
/// </summary>
public sealed class ResolutionService(IdentifierParser parser, PrefixDirectory prefixes, IRecordSource records, AccessDirectory access, ResolutionMetrics metrics, Recursion recursion, ResolverLimits limits)
{
    /// <summary>Resolves one identifier for <paramref name="caller"/>, a call with no deadline that passed no other node.</summary>
    public async ValueTask<ResolveOutcome> ResolveAsync(ResolveQuery query, Caller caller, CancellationToken cancellationToken) =>
        (await ResolveAsync([query], caller, ReadContext.None, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Resolves one identifier for <paramref name="caller"/> within <paramref name="context"/> (deadline, hops passed).</summary>
    public async ValueTask<ResolveOutcome> ResolveAsync(ResolveQuery query, Caller caller, ReadContext context, CancellationToken cancellationToken) =>
        (await ResolveAsync([query], caller, context, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>Resolves many identifiers for <paramref name="caller"/>; one outcome per query, in query order.</summary>
    public ValueTask<ResolveOutcome[]> ResolveAsync(IReadOnlyList<ResolveQuery> queries, Caller caller, CancellationToken cancellationToken) =>
        ResolveAsync(queries, caller, ReadContext.None, cancellationToken);

    /// <summary>
    /// Resolves many identifiers for <paramref name="caller"/> within <paramref name="context"/>; one outcome per query, in
    /// query order. Sites asked for them get what is left of the deadline and the call's hops plus this node's.
    /// </summary>
    /// <exception cref="ResolverException">INVALID_ARGUMENT (<c>batch-too-large</c>): more queries than <c>--max-batch-size</c>,
    /// whatever the wire; FAILED_PRECONDITION (<c>delegation-chain-too-long</c>): the call has passed more than
    /// <c>--max-hops</c> nodes already, so a loop between recursive nodes ends at once; INVALID_ARGUMENT (<c>too-many-filters</c>):
    /// more type and index filters in all the queries together than <see cref="ResolverLimits.MaxFiltersPerRequest"/>.</exception>
    public async ValueTask<ResolveOutcome[]> ResolveAsync(IReadOnlyList<ResolveQuery> queries, Caller caller, ReadContext context, CancellationToken cancellationToken)
    {
        if (queries.Count > limits.MaxBatchSize)
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, Reasons.BatchTooLarge,
                $"a batch may hold at most {limits.MaxBatchSize} identifiers; this one has {queries.Count}: split it"));
        }

        var filters = 0L;
        foreach (var query in queries)
        {
            filters += query.Filter.Types.Count + query.Filter.Indexes.Count;
        }

        if (filters > limits.MaxFiltersPerRequest)
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, Reasons.TooManyFilters,
                $"this request has {filters} type and index filters in all its queries; at most {limits.MaxFiltersPerRequest} per request " +
                $"(and {limits.MaxFiltersPerQuery} per query): ask for fewer types, use a trailing '.' for a type and its subtypes, or split the batch"));
        }

        if (context.Hops > recursion.MaxHops)
        {
            throw new ResolverException(new Problem(ErrorKind.FailedPrecondition, Reasons.DelegationChainTooLong,
                $"this request has passed {context.Hops} nodes, more than --max-hops {recursion.MaxHops}: a delegation loop between recursive nodes?"));
        }

        var outcomes = new ResolveOutcome[queries.Count];
        var withheld = await AnswerAsync(queries, caller, context, outcomes, cancellationToken).ConfigureAwait(false);
        metrics.Record(outcomes, withheld);
        return outcomes;
    }

    // Fills one outcome per query; returns, when any, which answers had every matching value withheld from the caller.
    private async ValueTask<bool[]?> AnswerAsync(IReadOnlyList<ResolveQuery> queries, Caller caller, ReadContext context, ResolveOutcome[] outcomes, CancellationToken cancellationToken)
    {

        // 1. Grammar: needs nothing but the query, so it never waits for a store.
        var parsed = new List<(int Slot, Identifier Identifier)>(queries.Count);
        for (var slot = 0; slot < queries.Count; slot++)
        {
            var asked = queries[slot].Identifier;
            if (InvalidFilter(queries[slot].Filter) is { } filterProblem)
            {
                outcomes[slot] = ResolveOutcome.Failed(asked, filterProblem);
            }
            else if (!parser.TryParse(asked, out var identifier, out var error))
            {
                outcomes[slot] = ResolveOutcome.Failed(asked, error.ToProblem("identifier", asked));
            }
            else
            {
                parsed.Add((slot, identifier));
            }
        }

        if (parsed.Count == 0)
        {
            return null;
        }

        // 2. Authority. A replica that has never read the prefix table and cannot reach its store routes everything
        // to the chain, so that what the shared cache holds is still served and the rest is UNAVAILABLE per item.
        var table = await TableOrNullAsync(cancellationToken).ConfigureAwait(false);
        // Each identifier read through the chain carries its route: its own key for a local record, the authority (the
        // delegation or the upstream) for a record another node serves, which the site stage starts from and trusts no further.
        var local = new List<(int Slot, Identifier Identifier, string? Homed, SiteAuthority? Site)>(parsed.Count);
        foreach (var (slot, identifier) in parsed)
        {
            var query = queries[slot];
            if (table is null)
            {
                local.Add((slot, identifier, null, null));
                continue;
            }

            var recurse = recursion.Recursive && !query.NoRecursion;
            switch (table.Route(identifier.Prefix))
            {
                case { Kind: RouteKind.Local, Authority: { } homed }:
                    local.Add((slot, identifier, homed.Prefix, null));
                    break;
                case { Kind: RouteKind.Delegated, Site: { } site } when recurse:
                    local.Add((slot, identifier, null, site)); // the chain's site stage asks the delegation's site
                    break;
                case { Kind: RouteKind.Delegated, Authority: { } delegation }:
                    // Not recursing: the caller (or the CLI) follows the referral to the site.
                    outcomes[slot] = ResolveOutcome.Referred(query.Identifier, new Referral(delegation.Prefix, delegation.Endpoints, delegation.Ttl));
                    break;
                case { Kind: RouteKind.Unknown } when recursion.UpstreamSite is { } upstreamSite && recurse:
                    local.Add((slot, identifier, null, upstreamSite)); // the upstream node knows where the prefix lives
                    break;
                case { Kind: RouteKind.Unknown } when recursion.Upstream is { } upstream:
                    // The empty prefix: "everything this node does not know" (DNS: a referral to the root).
                    outcomes[slot] = ResolveOutcome.Referred(query.Identifier, new Referral("", [upstream], ReferralTtl));
                    break;
                default:
                    outcomes[slot] = ResolveOutcome.Failed(query.Identifier, PrefixNotHomed(identifier));
                    break;
            }
        }

        if (local.Count == 0)
        {
            return null;
        }

        // 3. Records: one read for all distinct keys, through whatever cache tiers are configured.
        var keys = local.Select(item => new RecordKey(item.Identifier.Key, item.Site)).Distinct().ToArray();
        var found = await records.GetManyAsync(keys, context, cancellationToken).ConfigureAwait(false);
        var byKey = new Dictionary<RecordKey, RecordLookup>(keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            byKey[keys[i]] = found[i];
        }

        // 4. Answer each query from its record, with the values this caller may see (the caches hold whole records).
        var grants = caller.Kind == CallerKind.Enterprise ? await GrantsOrNoneAsync(cancellationToken).ConfigureAwait(false) : AccessSnapshot.Empty;
        table ??= PrefixTable.Empty; // no owner known: enterprises see public values only until the store answers
        bool[]? withheld = null;
        foreach (var (slot, identifier, homed, site) in local)
        {
            var query = queries[slot];
            var remote = site is not null;
            var (record, stale, problem, trace, heldByL1) = byKey[new RecordKey(identifier.Key, site)];
            // A record another node serves has no owner here, whatever this node homes above its prefix.
            var outcome = Answer(query, identifier, homed, record, stale, heldByL1, problem, remote ? PrefixTable.Empty : table, grants, caller, out var allWithheld);
            if (allWithheld)
            {
                (withheld ??= new bool[queries.Count])[slot] = true;
            }

            // Resolved at other nodes: this node first (answered from its caches when no site was asked now), then the sites.
            outcomes[slot] = !remote ? outcome : outcome with
            {
                Trace = [new Hop("", identifier.Prefix, (int?)outcome.Problem?.Kind ?? 0, Cached: trace is null, TimeSpan.Zero), .. trace ?? []],
            };
        }

        return withheld;
    }

    // The answer to one query from what the chain found: the record with the values this caller may see, or why there is none.
    private static ResolveOutcome Answer(
        ResolveQuery query, Identifier identifier, string? homed, Records.HandleRecord? record, bool stale, bool heldByL1, Problem? problem,
        PrefixTable table, AccessSnapshot grants, Caller caller, out bool allWithheld)
    {
        allWithheld = false;
        if (record is { IsDeleted: false })
        {
            var matching = query.Filter.Apply(record.Values);
            var visible = AccessPolicy.Visible(caller, record, matching, table, grants);
            allWithheld = visible.Count == 0 && matching.Count > 0;
            var shown = Answer(visible, stale);
            // All values shown: the answer is the very record the cache holds, so the transport can reuse what it built from it.
            return ReferenceEquals(shown, record.Values)
                ? new ResolveOutcome(query.Identifier, record, null, stale, HeldByL1: heldByL1)
                : new ResolveOutcome(query.Identifier, record with { Values = shown }, null, stale);
        }

        return record switch
        {
            null when problem is not null => ResolveOutcome.Failed(query.Identifier, problem),
            null => ResolveOutcome.Failed(query.Identifier, new Problem(
                ErrorKind.NotFound, Reasons.IdentifierNotFound,
                homed is null ? $"identifier {identifier} is not registered" : $"identifier {identifier} is not registered (its prefix {identifier.Prefix} is served here, under homed prefix {homed})",
                Prefix: identifier.Prefix)),
            { } deleted => ResolveOutcome.Failed(query.Identifier, new Problem(
                ErrorKind.NotFound, Reasons.IdentifierDeleted,
                $"identifier {deleted.Identifier} was deleted at {deleted.DeletedAt:yyyy-MM-ddTHH:mm:ssZ}",
                Prefix: identifier.Prefix, DeletedAt: deleted.DeletedAt)),
        };
    }

    /// <summary>How long a replica that has never loaded its prefix table waits for it before routing to the chain alone.</summary>
    public static readonly TimeSpan ColdTableWait = TimeSpan.FromSeconds(1);

    private async ValueTask<PrefixTable?> TableOrNullAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Loaded once, then served from memory: only a cold replica with a silent store can wait here, and briefly.
            var pending = prefixes.GetTableAsync(cancellationToken);
            return pending.IsCompletedSuccessfully
                ? pending.Result
                : await pending.AsTask().WaitAsync(ColdTableWait, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or ResolverException { Problem.Kind: ErrorKind.Unavailable })
        {
            return null;
        }
    }

    // Grants that cannot be read grant nothing: the safe side of an outage.
    private async ValueTask<AccessSnapshot> GrantsOrNoneAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await access.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
        {
            return AccessSnapshot.Empty;
        }
    }

    /// <summary>Seconds a referral may be cached: delegations change rarely (Handle's default value TTL is a day; an hour keeps moves quick).</summary>
    public const int ReferralTtl = PrefixEntry.DefaultTtl;

    /// <summary>How long a stale answer may be cached by the caller (RFC 8767 recommends 30 s).</summary>
    public const int StaleAnswerTtl = 30;

    // A stale answer is served only because the source is down: tell callers to come back soon.
    private static IReadOnlyList<Records.HandleValue> Answer(IReadOnlyList<Records.HandleValue> values, bool stale) =>
        stale ? [.. values.Select(v => v.Ttl > StaleAnswerTtl ? v with { Ttl = StaleAnswerTtl } : v)] : values;

    private Problem? InvalidFilter(Records.ValueFilter filter)
    {
        if (filter.Indexes.Count + filter.Types.Count > limits.MaxFiltersPerQuery)
        {
            return new Problem(ErrorKind.InvalidArgument, "invalid-filter",
                $"{filter.Indexes.Count + filter.Types.Count} type and index filters in one query; at most {limits.MaxFiltersPerQuery}: a trailing '.' matches a type and its subtypes");
        }

        foreach (var index in filter.Indexes)
        {
            if (index < 1)
            {
                return new Problem(ErrorKind.InvalidArgument, "invalid-filter", $"index filter {index} is not a value index: indexes start at 1");
            }
        }

        foreach (var type in filter.Types)
        {
            if (type.Length == 0 || type == "." || type.Length > 129 || type.EndsWith("..", StringComparison.Ordinal))
            {
                return new Problem(ErrorKind.InvalidArgument, "invalid-filter", $"type filter \"{type}\" is not a type: give e.g. URL, or URL. for URL and its subtypes");
            }
        }

        return null;
    }

    internal static Problem PrefixNotHomed(Identifier identifier) => new(
        ErrorKind.NotFound, Reasons.PrefixNotHomed,
        $"prefix {identifier.Prefix} is not homed at this node, so identifier {identifier} is unknown here",
        Prefix: identifier.Prefix);
}
