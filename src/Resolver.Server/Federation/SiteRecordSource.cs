using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Resolver.Core;
using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Resolution;
using Resolver.Core.Storage;
using Resolver.Server.Configuration;

namespace Resolver.Server.Federation;

/// <summary>
/// The resolution chain's stage for identifiers other nodes serve, on a recursive node (SPEC §4; docs/federation.md).
/// The resolution path has routed each key already: a key with an authority (<see cref="RecordKey.Site"/>, the
/// delegation or the upstream) is resolved here, the rest go to the next stage. Like a DNS recursive resolver it asks
/// each site non-recursively and follows referrals itself: per hop, one <c>BatchResolve</c> per site for all the keys
/// that site serves, as this node (never with a caller's credentials), within the caller's remaining deadline.
/// What a site answers is outside input (<see cref="SiteAnswers"/>): it is believed only below the authority that led
/// there, referrals are followed only to longer prefixes under it and to endpoints <c>--site-allow</c> admits, and a
/// record that breaks this node's limits or a malformed answer fails its own key alone. The records fetched go back
/// through the stages in front, so they are cached (under their authority), coalesced and served stale like local
/// ones. Outages and broken delegations are per-key problems, never throws.
/// </summary>
internal sealed class SiteRecordSource(
    IRecordSource next,
    PrefixDirectory prefixes,
    LearnedReferrals learned,
    SiteChannels sites,
    SiteAnswers answers,
    Recursion recursion,
    IOptions<FederationOptions> options,
    TimeProvider time) : IRecordSource
{
    /// <summary>The most identifiers asked of one site in one call: well under any node's batch limit (2,000 by default).</summary>
    public const int SiteBatch = 1000;

    private readonly SiteAllowList _allowed = SiteAllowList.Parse(options.Value.SiteAllow);

    public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
    {
        var remote = new List<Pending>();
        List<int>? local = null;
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i] is { Site: { } authority } key)
            {
                var prefix = key.Key[..key.Key.IndexOf('/', StringComparison.Ordinal)];
                remote.Add(new Pending(i, key.Key, prefix, authority, FirstSite(authority, prefix)));
            }
            else
            {
                (local ??= []).Add(i);
            }
        }

        if (remote.Count == 0)
        {
            return await next.GetManyAsync(keys, context, cancellationToken).ConfigureAwait(false);
        }

        var results = new RecordLookup[keys.Count];
        var configured = _allowed.IsConfigured ? [] : SiteAllowList.ConfiguredSites(await TableOrNullAsync(cancellationToken).ConfigureAwait(false), recursion.Upstream).ToList();
        var localRead = local is null ? Task.FromResult<IReadOnlyList<RecordLookup>>([]) : next.GetManyAsync([.. local.Select(i => keys[i])], context, cancellationToken).AsTask();
        await ResolveAtSitesAsync(remote, results, configured, context, cancellationToken).ConfigureAwait(false);
        var read = await localRead.ConfigureAwait(false);
        for (var j = 0; j < (local?.Count ?? 0); j++)
        {
            results[local![j]] = read[j];
        }

        return results;
    }

    // Where to start: the longest referral learned through this authority below its prefix, else the authority's own site.
    private Site FirstSite(SiteAuthority authority, string prefix)
    {
        foreach (var candidate in PrefixPath.SelfAndAncestors(prefix))
        {
            if (candidate.Length <= authority.Prefix.Length)
            {
                break;
            }

            if (learned.SitesOf(authority, candidate) is { Count: > 0 } endpoints)
            {
                return new Site(candidate, endpoints);
            }
        }

        return new Site(authority.Prefix, authority.Endpoints);
    }

    // Hop by hop: every key still pending is asked of its current site (one call per site); referrals move it on.
    private async Task ResolveAtSitesAsync(List<Pending> pending, RecordLookup[] results, List<string> configured, ReadContext context, CancellationToken cancellationToken)
    {
        for (var hop = 1; pending.Count > 0; hop++)
        {
            if (hop > recursion.MaxHops)
            {
                foreach (var item in pending)
                {
                    results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.DelegationChainTooLong,
                        $"identifier {item.Key} was still referred after {recursion.MaxHops} sites ({item.Chain()}): a delegation loop? Fix the delegations, or raise --max-hops"));
                }

                return;
            }

            // One call per site, and per authority: this node's credential goes only to the sites its administrator named.
            var bySite = pending.GroupBy(p => (p.Authority.Tag, Endpoints: string.Join(' ', p.Site.Endpoints))).ToList();
            var answered = await Task.WhenAll(bySite.Select(group => AskAsync([.. group], hop, context, cancellationToken))).ConfigureAwait(false);
            pending = [];
            foreach (var (item, answer) in answered.SelectMany(a => a))
            {
                if (Follow(item, answer, results, configured) is { } moved)
                {
                    pending.Add(moved);
                }
            }
        }
    }

    // What one site said about one key: a record or not-found (done), a referral (go on), or a problem (done).
    private Pending? Follow(Pending item, SiteAnswer answer, RecordLookup[] results, List<string> configured)
    {
        var (endpoint, result, problem, elapsed) = answer;
        var checkedAnswer = problem is null ? answers.Check(result!, item.Key, item.Prefix, endpoint) : new SiteAnswers.Checked(null, null, problem);
        var code = checkedAnswer.Problem is { } failed ? (int)failed.Kind : result!.Status?.Code ?? 0;
        item.Trace.Add(new Hop(endpoint, item.Site.Prefix, code, Cached: false, elapsed));
        switch (checkedAnswer)
        {
            case { Problem: { } failure }:
                results[item.Slot] = Failed(item, failure);
                return null;
            case { Record: { } record }:
                results[item.Slot] = new RecordLookup(record, Trace: item.Trace);
                return null;
            case { Referral: { } referral }:
                return Refer(item, endpoint, referral, results, configured);
        }

        var status = result!.Status!;
        switch (status)
        {
            case { Problem.Reason: Reasons.PrefixNotHomed } when item.Site.Prefix.Length == 0:
                results[item.Slot] = new RecordLookup(null, Trace: item.Trace); // the upstream knows no such prefix either
                return null;
            case { Problem.Reason: Reasons.PrefixNotHomed }:
                results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.LameDelegation,
                    $"site {endpoint} does not serve prefix {item.Site.Prefix} (a lame delegation): {SiteAnswers.Quoted(status.Message)}", Prefix: item.Prefix));
                return null;
            case { Code: (int)StatusCode.NotFound }:
                results[item.Slot] = new RecordLookup(null, Trace: item.Trace); // not registered (or deleted) at its site
                return null;
            default:
                results[item.Slot] = Failed(item, new Problem((ErrorKind)status.Code, SiteAnswers.Reason(status.Problem?.Reason), $"site {endpoint}: {SiteAnswers.Quoted(status.Message)}", Prefix: item.Prefix));
                return null;
        }
    }

    // A referral moves the key on only below the authority that led here, closer to the identifier, to endpoints this node may dial.
    private Pending? Refer(Pending item, string endpoint, SiteAnswers.Referral referral, RecordLookup[] results, List<string> configured)
    {
        // Progress, or a loop: a referral names a longer prefix covering the identifier (DNS: closer to the answer), or, in
        // the upstream's chain only, the empty prefix with an upstream not asked yet; anything else goes round in circles.
        var closer = referral.Prefix.Length > item.Site.Prefix.Length && PrefixPath.IsSelfOrDescendant(item.Prefix, referral.Prefix);
        var upward = referral.Prefix.Length == 0 && referral.Endpoints.Any(e => !item.Visited.Contains(e));
        if (upward && !item.Authority.IsUpstream)
        {
            // A delegated site answers for its prefix alone: "ask someone else about everything" is not its to say.
            results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.ReferralOutsideDelegation,
                $"site {endpoint} referred {item.Key} to {string.Join(", ", referral.Endpoints)} for every prefix, outside prefix {item.Authority.Prefix} it was delegated; not followed", Prefix: item.Prefix));
            return null;
        }

        if (!closer && !upward)
        {
            results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.DelegationLoop,
                $"site {endpoint} referred {item.Key} for prefix \"{referral.Prefix}\" to {string.Join(", ", referral.Endpoints)}, which is no closer than {item.Chain()}: a delegation loop; fix the delegations", Prefix: item.Prefix));
            return null;
        }

        var candidates = upward ? referral.Endpoints.Where(e => !item.Visited.Contains(e)) : referral.Endpoints;
        var onward = candidates.Where(e => item.Authority.Endpoints.Contains(e, StringComparer.Ordinal) || _allowed.Allows(e, configured)).ToArray();
        if (onward.Length == 0)
        {
            results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.SiteNotAllowed,
                $"site {endpoint} referred {item.Key} to {string.Join(", ", candidates)}, which this node may not dial: add them to --site-allow if they are trusted", Prefix: item.Prefix));
            return null;
        }

        if (closer)
        {
            learned.Learn(item.Authority, referral.Prefix, onward, referral.Ttl);
        }

        return item with { Site = new Site(referral.Prefix, onward) };
    }

    // One site, one call per SiteBatch keys, endpoint after endpoint until one answers; no answer is UNAVAILABLE naming the site.
    private async Task<List<(Pending Item, SiteAnswer Answer)>> AskAsync(Pending[] items, int hop, ReadContext context, CancellationToken cancellationToken)
    {
        var answered = new List<(Pending, SiteAnswer)>(items.Length);
        var endpoints = items[0].Site.Endpoints;
        var authority = items[0].Authority;
        foreach (var item in items)
        {
            item.Visited.UnionWith(endpoints);
        }

        foreach (var chunk in items.Chunk(SiteBatch))
        {
            var request = new Protocol.V1.BatchResolveRequest();
            request.Requests.AddRange(chunk.Select(item => new Protocol.V1.ResolveRequest { Identifier = item.Key, NoRecursion = true }));
            var failures = new List<string>();
            Protocol.V1.BatchResolveResponse? response = null;
            Problem? refused = null;
            var answeredBy = endpoints[0];
            var started = Stopwatch.GetTimestamp();
            var (deadline, callersOwn) = Deadline(context);
            foreach (var endpoint in endpoints)
            {
                answeredBy = endpoint;
                try
                {
                    using var site = sites.Acquire(endpoint);
                    response = await site.Client.BatchResolveAsync(request, Headers(context.Hops + hop, endpoint, authority), deadline, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (RpcException exception) when (exception.StatusCode == StatusCode.DeadlineExceeded && callersOwn)
                {
                    // The caller's own deadline ran out: not a sign that the site is down (nothing is served stale for it).
                    refused = new Problem(ErrorKind.DeadlineExceeded, "deadline-exceeded", $"the caller's deadline passed while site {endpoint} was asked about prefix {DisplayPrefix(chunk[0].Site.Prefix)}", Prefix: chunk[0].Site.Prefix);
                    break;
                }
                catch (RpcException exception) when (exception.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown or StatusCode.ResourceExhausted)
                {
                    failures.Add($"{endpoint}: {SiteAnswers.Unreachable(exception)}");
                }
                catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or UriFormatException or HttpRequestException)
                {
                    failures.Add($"{endpoint}: cannot be called");
                }
                catch (RpcException exception)
                {
                    // The site refused the call itself (e.g. this node's credential): every key gets that status.
                    refused = new Problem((ErrorKind)(int)exception.StatusCode, Reasons.SiteRefused, $"site {endpoint} refused this node ({exception.StatusCode}): {SiteAnswers.Quoted(exception.Status.DebugException is null ? exception.Status.Detail : "")}", Prefix: chunk[0].Site.Prefix);
                    break;
                }
            }

            if (refused is not null)
            {
                answered.AddRange(chunk.Select(item => (item, new SiteAnswer(answeredBy, null, refused, Stopwatch.GetElapsedTime(started)))));
                continue;
            }

            if (response is null || response.Results.Count != chunk.Length)
            {
                var unreachable = new Problem(ErrorKind.Unavailable, Reasons.SiteUnavailable,
                    $"site of prefix {DisplayPrefix(chunk[0].Site.Prefix)} is unreachable: {string.Join("; ", failures.DefaultIfEmpty($"{answeredBy}: it answered {response?.Results.Count} results for {chunk.Length} identifiers"))}", Prefix: chunk[0].Site.Prefix);
                answered.AddRange(chunk.Select(item => (item, new SiteAnswer(answeredBy, null, unreachable, Stopwatch.GetElapsedTime(started)))));
                continue;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            answered.AddRange(chunk.Select((item, k) => (item, new SiteAnswer(answeredBy, response.Results[k], null, elapsed))));
        }

        return answered;
    }

    // The hops the call had passed plus this node's; this node's credential only for the sites its administrator named
    // for this authority, and never in the clear beyond this machine (a referral could name any host).
    private Metadata Headers(int hops, string endpoint, SiteAuthority authority)
    {
        var headers = new Metadata { { Hops.Header, hops.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        if (options.Value.SiteToken is { Length: > 0 } token && authority.Endpoints.Contains(endpoint, StringComparer.Ordinal) &&
            (endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || SiteEndpoint.IsLoopback(endpoint)))
        {
            headers.Add("authorization", $"Bearer {token}");
        }

        return headers;
    }

    // The site gets at most --site-timeout-ms, and never more than the caller has left (less a margin to answer it);
    // true when the caller's deadline is the tighter one.
    private (DateTime Deadline, bool CallersOwn) Deadline(ReadContext context)
    {
        var own = time.GetUtcNow().UtcDateTime.AddMilliseconds(options.Value.SiteTimeoutMs);
        return context.Deadline is { } caller && caller.AddMilliseconds(-50) < own ? (caller.AddMilliseconds(-50), true) : (own, false);
    }

    // The delegations this node's administrator made, for the default of --site-allow; none while the store is down.
    private async ValueTask<PrefixTable?> TableOrNullAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
        {
            return null;
        }
    }

    private static string DisplayPrefix(string prefix) => prefix.Length == 0 ? "(upstream)" : prefix;

    private static RecordLookup Failed(Pending item, Problem problem) => new(null, Problem: problem, Trace: item.Trace);

    private sealed record Site(string Prefix, IReadOnlyList<string> Endpoints);

    private sealed record Pending(int Slot, string Key, string Prefix, SiteAuthority Authority, Site Site)
    {
        public List<Hop> Trace { get; } = [];

        public HashSet<string> Visited { get; } = new(StringComparer.OrdinalIgnoreCase);

        public string Chain() => string.Join(" → ", Trace.Select(h => $"{h.Endpoint} ({DisplayPrefix(h.Prefix)})"));
    }

    private sealed record SiteAnswer(string Endpoint, Protocol.V1.ResolveResult? Result, Problem? Problem, TimeSpan Elapsed);
}
