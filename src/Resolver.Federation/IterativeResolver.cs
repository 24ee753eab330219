using System.Diagnostics;
using Grpc.Core;
using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Resolution;
using Resolver.Core.Storage;
using ResolveResult = Resolver.Protocol.V1.ResolveResult;

namespace Resolver.Federation;

/// <summary>
/// Resolves identifiers at the sites that serve them, hop by hop, as a DNS resolver asks authoritative servers (SPEC §4;
/// docs/federation.md): the one loop of a recursive node's <c>SiteRecordSource</c> and of the CLI's <c>--no-recurse</c>.
/// Per hop, every identifier still pending is asked of its current site, one call per site (chunks of
/// <see cref="SiteBatch"/>), each endpoint in turn until one answers. Every answer is outside input
/// (<see cref="SiteAnswers"/>); a record or not-found ends the identifier; a referral moves it on only to a longer prefix
/// covering it, under the authority it started from (the empty "ask upstream" prefix only from a site asked as an
/// upstream, to an endpoint not asked yet), and only to endpoints the <see cref="IReferralPolicy"/> admits. Anything else, and more than
/// <see cref="FollowingLimits.MaxHops"/> sites, ends it with a problem naming the chain. Never throws for what a site did.
/// </summary>
public sealed class IterativeResolver(SiteClients clients, SiteAnswers answers, FollowingLimits limits, TimeProvider time)
{
    /// <summary>The most identifiers asked of one site in one call: well under any node's batch limit (2,000 by default).</summary>
    public const int SiteBatch = 1000;

    // Each site is asked to answer this long before the caller's deadline, so that the caller still gets the answer.
    private static readonly TimeSpan AnswerMargin = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Resolves every query, within <paramref name="context"/>'s deadline (each site gets what is left of it less 50 ms, at
    /// most <see cref="FollowingLimits.SiteTimeout"/>) and adding this resolution's hops to the ones it had passed.
    /// </summary>
    /// <returns>One outcome per query, in order.</returns>
    public async Task<SiteOutcome[]> ResolveAsync(IReadOnlyList<SiteQuery> queries, ReadContext context, IReferralPolicy policy, CancellationToken cancellationToken)
    {
        var results = new SiteOutcome[queries.Count];
        var pending = new List<Pending>(queries.Count);
        for (var i = 0; i < queries.Count; i++)
        {
            var query = queries[i];
            var item = new Pending(i, query.Key, query.Prefix, query.Filter, query.Authority, new Site(query.SitePrefix, query.SiteEndpoints)) { Given = query.Answered };
            item.Trace.AddRange(query.TraceSoFar);
            pending.Add(item);
        }

        for (var hop = 1; pending.Count > 0; hop++)
        {
            if (hop > limits.MaxHops)
            {
                foreach (var item in pending)
                {
                    results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.DelegationChainTooLong,
                        $"identifier {item.Key} was still referred after {limits.MaxHops} sites ({item.Chain()}): a delegation loop? Fix the delegations, or raise --max-hops"));
                }

                return results;
            }

            // What the caller already had is followed as it is; the rest is asked, one call per site and per authority
            // (what a policy gives a site may depend on the authority that led there).
            var given = pending.Where(p => p.Given is not null).Select(Given);
            var bySite = pending.Where(p => p.Given is null).GroupBy(p => (p.Authority.Tag, Endpoints: string.Join(' ', p.Site.Endpoints))).ToList();
            var asked = await Task.WhenAll(bySite.Select(group => AskAsync([.. group], hop, context, policy, cancellationToken))).ConfigureAwait(false);
            pending = [];
            foreach (var (item, answer) in given.Concat(asked.SelectMany(a => a)))
            {
                if (Follow(item, answer, results, policy) is { } moved)
                {
                    pending.Add(moved);
                }
            }
        }

        return results;
    }

    private static (Pending, SiteAnswer) Given(Pending item)
    {
        item.Visited.UnionWith(item.Site.Endpoints);
        return (item with { Given = null }, new SiteAnswer(item.Site.Endpoints[0], item.Given, null, TimeSpan.Zero, Traced: true));
    }

    // What one site said about one identifier: a record or not-found (done), a referral (go on), or a problem (done).
    private Pending? Follow(Pending item, SiteAnswer answer, SiteOutcome[] results, IReferralPolicy policy)
    {
        var (endpoint, result, problem, elapsed, traced) = answer;
        var checkedAnswer = problem is null ? answers.Check(result!, item.Key, item.Prefix, endpoint) : new SiteAnswers.Checked(null, null, problem);
        if (!traced)
        {
            var code = checkedAnswer.Problem is { } failed ? (int)failed.Kind : result!.Status?.Code ?? 0;
            item.Trace.Add(new Hop(endpoint, item.Site.Prefix, code, Cached: false, elapsed));
        }

        switch (checkedAnswer)
        {
            case { Problem: { } failure }:
                results[item.Slot] = Failed(item, failure);
                return null;
            case { Record: { } record }:
                results[item.Slot] = new SiteOutcome(record, result, null, item.Trace);
                return null;
            case { Referral: { } referral }:
                return Refer(item, endpoint, referral, results, policy);
        }

        var status = result!.Status!;
        switch (status)
        {
            case { Problem.Reason: Reasons.PrefixNotHomed } when item.Site.Prefix.Length == 0:
                results[item.Slot] = new SiteOutcome(null, result, null, item.Trace); // the upstream knows no such prefix either
                return null;
            case { Problem.Reason: Reasons.PrefixNotHomed }:
                results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.LameDelegation,
                    $"site {endpoint} does not serve prefix {item.Site.Prefix} (a lame delegation): {SiteAnswers.Quoted(status.Message)}", Prefix: item.Prefix));
                return null;
            case { Code: (int)StatusCode.NotFound }:
                results[item.Slot] = new SiteOutcome(null, result, null, item.Trace); // not registered (or deleted) at its site
                return null;
            default:
                results[item.Slot] = Failed(item, new Problem((ErrorKind)status.Code, SiteAnswers.Reason(status.Problem?.Reason), $"site {endpoint}: {SiteAnswers.Quoted(status.Message)}", Prefix: item.Prefix));
                return null;
        }
    }

    // A referral moves the identifier on only below the authority that led here, closer to it, to endpoints the policy admits.
    private static Pending? Refer(Pending item, string endpoint, SiteAnswers.Referral referral, SiteOutcome[] results, IReferralPolicy policy)
    {
        // Progress, or a loop: a referral names a longer prefix covering the identifier (DNS: closer to the answer), or, from
        // a site asked as an upstream (about every prefix), the empty prefix with an upstream not asked yet; anything else
        // goes round in circles.
        var closer = referral.Prefix.Length > item.Site.Prefix.Length && PrefixPath.IsSelfOrDescendant(item.Prefix, referral.Prefix);
        var upward = referral.Prefix.Length == 0 && referral.Endpoints.Any(e => !item.Visited.Contains(e));
        if (upward && item.Site.Prefix.Length > 0)
        {
            // A site delegated a prefix (by this node's administrator, or by a referral) answers for that prefix alone:
            // "ask someone else about everything" is not its to say.
            results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.ReferralOutsideDelegation,
                $"site {endpoint} referred {item.Key} to {string.Join(", ", referral.Endpoints)} for every prefix, outside prefix {item.Site.Prefix} it was delegated; not followed", Prefix: item.Prefix));
            return null;
        }

        if (!closer && !upward)
        {
            results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.DelegationLoop,
                $"site {endpoint} referred {item.Key} for prefix \"{referral.Prefix}\" to {string.Join(", ", referral.Endpoints)}, which is no closer than {item.Chain()}: a delegation loop; fix the delegations", Prefix: item.Prefix));
            return null;
        }

        var candidates = upward ? referral.Endpoints.Where(e => !item.Visited.Contains(e)) : referral.Endpoints;
        var onward = candidates.Where(e => item.Authority.Endpoints.Contains(e, StringComparer.Ordinal) || policy.MayDial(e, item.Authority)).ToArray();
        if (onward.Length == 0)
        {
            results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.SiteNotAllowed,
                $"site {endpoint} referred {item.Key} to {string.Join(", ", candidates)}, which this node may not dial: add them to --site-allow if they are trusted", Prefix: item.Prefix));
            return null;
        }

        if (closer)
        {
            policy.Learn(item.Authority, referral.Prefix, onward, referral.Ttl);
        }

        return item with { Site = new Site(referral.Prefix, onward) };
    }

    // One site, one ask per SiteBatch identifiers, endpoint after endpoint until one answers; no answer is UNAVAILABLE naming the site.
    private async Task<List<(Pending Item, SiteAnswer Answer)>> AskAsync(Pending[] items, int hop, ReadContext context, IReferralPolicy policy, CancellationToken cancellationToken)
    {
        var answered = new List<(Pending, SiteAnswer)>(items.Length);
        var (prefix, endpoints) = items[0].Site;
        var authority = items[0].Authority;
        foreach (var item in items)
        {
            item.Visited.UnionWith(endpoints);
        }

        foreach (var chunk in items.Chunk(SiteBatch))
        {
            SiteQuestion[] questions = [.. chunk.Select(item => new SiteQuestion(item.Key, item.Filter))];
            var failures = new List<string>();
            IReadOnlyList<ResolveResult>? results = null;
            Problem? ended = null;
            var answeredBy = endpoints[0];
            var started = Stopwatch.GetTimestamp();
            var (deadline, callersOwn) = Deadline(context);
            foreach (var endpoint in endpoints)
            {
                answeredBy = endpoint;
                if (clients.For(endpoint) is not { } client)
                {
                    failures.Add($"{endpoint}: no site client speaks its protocol");
                    continue;
                }

                var reply = await client.AskAsync(new SiteAsk(endpoint, questions, deadline, context.Hops + hop, policy.CredentialFor(endpoint, authority)), cancellationToken).ConfigureAwait(false);
                if (reply.Answers is { } replied)
                {
                    results = replied;
                    break;
                }

                var failure = reply.Failure!;
                if (failure.Kind == SiteFailureKind.TimedOut && callersOwn)
                {
                    // The caller's own deadline ran out: not a sign that the site is down (nothing is served stale for it).
                    ended = new Problem(ErrorKind.DeadlineExceeded, "deadline-exceeded", $"the caller's deadline passed while site {endpoint} was asked about prefix {DisplayPrefix(prefix)}", Prefix: prefix);
                    break;
                }

                if (failure.Kind == SiteFailureKind.Refused)
                {
                    // The site refused the call itself (e.g. this node's credential): every identifier gets that status.
                    ended = new Problem((ErrorKind)failure.Code, Reasons.SiteRefused, $"site {endpoint} refused this node ({(StatusCode)failure.Code}): {failure.Words}", Prefix: prefix);
                    break;
                }

                failures.Add($"{endpoint}: {failure.Words}");
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            if (results is null)
            {
                ended ??= new Problem(ErrorKind.Unavailable, Reasons.SiteUnavailable, $"site of prefix {DisplayPrefix(prefix)} is unreachable: {string.Join("; ", failures)}", Prefix: prefix);
                answered.AddRange(chunk.Select(item => (item, new SiteAnswer(answeredBy, null, ended, elapsed, Traced: false))));
                continue;
            }

            answered.AddRange(chunk.Select((item, k) => (item, new SiteAnswer(answeredBy, results[k], null, elapsed, Traced: false))));
        }

        return answered;
    }

    // The site gets at most the site timeout, and never more than the caller has left (less a margin to answer it);
    // true when the caller's deadline is the tighter one.
    private (DateTime Deadline, bool CallersOwn) Deadline(ReadContext context)
    {
        var own = time.GetUtcNow().UtcDateTime + limits.SiteTimeout;
        return context.Deadline is { } caller && caller - AnswerMargin < own ? (caller - AnswerMargin, true) : (own, false);
    }

    private static string DisplayPrefix(string prefix) => prefix.Length == 0 ? "(upstream)" : prefix;

    private static SiteOutcome Failed(Pending item, Problem problem) => new(null, null, problem, item.Trace);

    private sealed record Site(string Prefix, IReadOnlyList<string> Endpoints);

    private sealed record Pending(int Slot, string Key, string Prefix, ValueFilter Filter, SiteAuthority Authority, Site Site)
    {
        public List<Hop> Trace { get; } = [];

        public HashSet<string> Visited { get; } = new(StringComparer.OrdinalIgnoreCase);

        // What the first site answered before the resolver began (its hop is in the trace already); null once followed.
        public ResolveResult? Given { get; init; }

        public string Chain() => string.Join(" → ", Trace.Select(h => $"{h.Endpoint} ({DisplayPrefix(h.Prefix)})"));
    }

    // Traced: the hop is in the trace already (an answer the caller had).
    private sealed record SiteAnswer(string Endpoint, ResolveResult? Result, Problem? Problem, TimeSpan Elapsed, bool Traced);
}
