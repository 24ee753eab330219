using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Resolution;
using Resolver.Core.Storage;
using Resolver.Server.Api;
using Resolver.Server.Configuration;

namespace Resolver.Server.Federation;

/// <summary>
/// The resolution chain's stage for identifiers other nodes serve, on a recursive node (SPEC §4; docs/federation.md).
/// Like a DNS recursive resolver it asks each site non-recursively and follows referrals itself: per hop, one
/// <c>BatchResolve</c> per site for all the keys that site serves, as this node (never with a caller's credentials),
/// within the caller's remaining deadline. Referrals it learns are kept in the cache tiers (<see cref="LearnedReferrals"/>). The records
/// it fetches go back through the stages in front, so they are cached, coalesced and served stale like local ones.
/// Keys this node serves itself go to the next stage. Outages and broken delegations are per-key problems, never throws.
/// </summary>
internal sealed class SiteRecordSource(
    IRecordSource next,
    PrefixDirectory prefixes,
    LearnedReferrals learned,
    SiteChannels sites,
    Recursion recursion,
    IOptions<FederationOptions> options,
    TimeProvider time) : IRecordSource
{
    // The most identifiers asked of one site in one call: well under any node's batch limit (2,000 by default).
    private const int SiteBatch = 1000;

    public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (!recursion.Recursive)
        {
            return await next.GetManyAsync(keys, cancellationToken).ConfigureAwait(false);
        }

        // Without the prefix table this node cannot tell its own prefixes from others': it answers from its store alone.
        var table = await TableOrNullAsync(cancellationToken).ConfigureAwait(false);
        var results = new RecordLookup[keys.Count];
        var local = new List<int>(keys.Count);
        var remote = new List<Pending>();
        var firstSites = new Dictionary<string, Site?>(StringComparer.Ordinal);
        foreach (var (i, key) in keys.Index())
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            if (table is null || slash < 0)
            {
                local.Add(i); // not an identifier's key (e.g. the outage probe's): the store's to answer
                continue;
            }

            var prefix = key[..slash];
            if (!firstSites.TryGetValue(prefix, out var site))
            {
                firstSites[prefix] = site = await FirstSiteAsync(table, prefix).ConfigureAwait(false);
            }

            if (site is null)
            {
                local.Add(i);
            }
            else
            {
                remote.Add(new Pending(i, key, prefix, site));
            }
        }

        var configured = Configured(table);
        var localRead = local.Count == 0 ? Task.FromResult<IReadOnlyList<RecordLookup>>([]) : next.GetManyAsync([.. local.Select(i => keys[i])], cancellationToken).AsTask();
        await ResolveAtSitesAsync(remote, results, configured, cancellationToken).ConfigureAwait(false);
        var read = await localRead.ConfigureAwait(false);
        for (var j = 0; j < local.Count; j++)
        {
            results[local[j]] = read[j];
        }

        return results;
    }

    // Where to start for a prefix: the longest delegation learned from a referral or configured here, else the upstream.
    private async ValueTask<Site?> FirstSiteAsync(PrefixTable table, string prefix)
    {
        var configured = table.Route(prefix);
        if (configured is { Kind: RouteKind.Local })
        {
            return null;
        }

        foreach (var candidate in PrefixPath.SelfAndAncestors(prefix))
        {
            if (configured.Authority is { } entry && entry.Prefix == candidate)
            {
                return new Site(entry.Prefix, entry.Endpoints);
            }

            if (await learned.SitesOfAsync(candidate).ConfigureAwait(false) is { Count: > 0 } endpoints)
            {
                return new Site(candidate, endpoints);
            }
        }

        return recursion.Upstream is { } upstream ? new Site("", [upstream]) : null;
    }

    // The endpoints this node's administrator named (delegations, upstream): the only ones its own credential goes to.
    private HashSet<string> Configured(PrefixTable? table)
    {
        var endpoints = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in table?.Entries ?? [])
        {
            endpoints.UnionWith(entry.Endpoints);
        }

        if (recursion.Upstream is { } upstream)
        {
            endpoints.Add(upstream);
        }

        return endpoints;
    }

    // Hop by hop: every key still pending is asked of its current site (one call per site); referrals move it on.
    private async Task ResolveAtSitesAsync(List<Pending> pending, RecordLookup[] results, HashSet<string> configured, CancellationToken cancellationToken)
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

            var bySite = pending.GroupBy(p => string.Join(' ', p.Site.Endpoints)).ToList();
            var answered = await Task.WhenAll(bySite.Select(group => AskAsync([.. group], hop, configured, cancellationToken))).ConfigureAwait(false);
            pending = [];
            foreach (var (item, answer) in answered.SelectMany(a => a))
            {
                if (Follow(item, answer, results) is { } moved)
                {
                    pending.Add(moved);
                }
            }
        }
    }

    // What one site said about one key: a record or not-found (done), a referral (go on), or a problem (done).
    private Pending? Follow(Pending item, SiteAnswer answer, RecordLookup[] results)
    {
        var (endpoint, result, problem, elapsed) = answer;
        var code = problem is not null ? (int)problem.Kind : result?.Status?.Code ?? 0;
        item.Trace.Add(new Hop(endpoint, item.Site.Prefix, code, Cached: false, elapsed));
        if (problem is not null)
        {
            results[item.Slot] = Failed(item, problem);
            return null;
        }

        var status = result!.Status ?? new Protocol.V1.ItemStatus();
        switch (result)
        {
            case { Referral: { } referral } when code == 0:
                if (referral.Endpoints.Count == 0 || !referral.Endpoints.All(PrefixAdministration.IsSite))
                {
                    results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.LameDelegation,
                        $"site {endpoint} referred {item.Key} to sites that are not http(s)://HOST:PORT addresses; fix the delegation there", Prefix: item.Prefix));
                    return null;
                }

                // Progress, or a loop: a referral names a longer prefix covering the identifier (DNS: closer to the answer),
                // or, with the empty prefix, an upstream not asked yet; anything else goes round in circles.
                var closer = referral.Prefix.Length > item.Site.Prefix.Length && PrefixPath.IsSelfOrDescendant(item.Prefix, referral.Prefix);
                var upward = referral.Prefix.Length == 0 && referral.Endpoints.Any(e => !item.Visited.Contains(e));
                if (!closer && !upward)
                {
                    results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.DelegationLoop,
                        $"site {endpoint} referred {item.Key} for prefix \"{referral.Prefix}\" to {string.Join(", ", referral.Endpoints)}, which is no closer than {item.Chain()}: a delegation loop; fix the delegations", Prefix: item.Prefix));
                    return null;
                }

                if (closer)
                {
                    learned.Learn(referral.Prefix, [.. referral.Endpoints], referral.Ttl);
                }

                var onward = upward ? referral.Endpoints.Where(e => !item.Visited.Contains(e)).ToArray() : [.. referral.Endpoints];
                return item with { Site = new Site(referral.Prefix, onward) };
            case { Record: { } record } when code == 0:
                results[item.Slot] = new RecordLookup(ProtoMapper.ToRecord(record, item.Key), Trace: item.Trace);
                return null;
            case { Status.Problem.Reason: Reasons.PrefixNotHomed } when item.Site.Prefix.Length == 0:
                results[item.Slot] = new RecordLookup(null, Trace: item.Trace); // the upstream knows no such prefix either
                return null;
            case { Status.Problem.Reason: Reasons.PrefixNotHomed }:
                results[item.Slot] = Failed(item, new Problem(ErrorKind.FailedPrecondition, Reasons.LameDelegation,
                    $"site {endpoint} does not serve prefix {item.Site.Prefix} (a lame delegation): {status.Message}", Prefix: item.Prefix));
                return null;
            case { Status.Code: (int)StatusCode.NotFound }:
                results[item.Slot] = new RecordLookup(null, Trace: item.Trace); // not registered (or deleted) at its site
                return null;
            default:
                results[item.Slot] = Failed(item, new Problem((ErrorKind)status.Code, status.Problem?.Reason ?? "site-error", $"site {endpoint}: {status.Message}", Prefix: item.Prefix));
                return null;
        }
    }

    // One site, one call per SiteBatch keys, endpoint after endpoint until one answers; no answer is UNAVAILABLE naming the site.
    private async Task<List<(Pending Item, SiteAnswer Answer)>> AskAsync(Pending[] items, int hop, HashSet<string> configured, CancellationToken cancellationToken)
    {
        var answers = new List<(Pending, SiteAnswer)>(items.Length);
        var endpoints = items[0].Site.Endpoints;
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
            var (deadline, callersOwn) = Deadline();
            foreach (var endpoint in endpoints)
            {
                answeredBy = endpoint;
                try
                {
                    response = await sites.For(endpoint).BatchResolveAsync(request, Headers(hop, endpoint, configured), deadline, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (RpcException exception) when (exception.StatusCode == StatusCode.DeadlineExceeded && callersOwn)
                {
                    // The caller's own deadline ran out: not a sign that the site is down (nothing is served stale for it).
                    refused = new Problem(ErrorKind.DeadlineExceeded, "deadline-exceeded", $"the caller's deadline passed while site {endpoint} was asked about prefix {DisplayPrefix(chunk[0].Site.Prefix)}", Prefix: chunk[0].Site.Prefix);
                    break;
                }
                catch (RpcException exception) when (exception.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown)
                {
                    failures.Add($"{endpoint}: {(exception.StatusCode == StatusCode.DeadlineExceeded ? "no answer in time" : exception.Status.Detail)}");
                }
                catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or UriFormatException or HttpRequestException)
                {
                    failures.Add($"{endpoint}: cannot be called ({exception.Message})");
                }
                catch (RpcException exception)
                {
                    // The site refused the call itself (e.g. this node's credential): every key gets that status.
                    refused = new Problem((ErrorKind)(int)exception.StatusCode, Reasons.SiteRefused, $"site {endpoint} refused this node: {exception.Status.Detail}", Prefix: chunk[0].Site.Prefix);
                    break;
                }
            }

            if (refused is not null)
            {
                answers.AddRange(chunk.Select(item => (item, new SiteAnswer(answeredBy, null, refused, Stopwatch.GetElapsedTime(started)))));
                continue;
            }

            if (response is null || response.Results.Count != chunk.Length)
            {
                var unreachable = new Problem(ErrorKind.Unavailable, Reasons.SiteUnavailable,
                    $"site of prefix {DisplayPrefix(chunk[0].Site.Prefix)} is unreachable: {string.Join("; ", failures.DefaultIfEmpty("it answered a different number of results"))}", Prefix: chunk[0].Site.Prefix);
                answers.AddRange(chunk.Select(item => (item, new SiteAnswer(endpoints[0], null, unreachable, Stopwatch.GetElapsedTime(started)))));
                continue;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            answers.AddRange(chunk.Select((item, k) => (item, new SiteAnswer(answeredBy, response.Results[k], null, elapsed))));
        }

        return answers;
    }

    // The hops the call had passed plus this node's; this node's credential only for the sites its administrator named,
    // and never in the clear beyond this machine (a referral could name any host).
    private Metadata Headers(int hop, string endpoint, HashSet<string> configured)
    {
        var headers = new Metadata { { Hops.Header, (Hops.Incoming + hop).ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        if (options.Value.SiteToken is { Length: > 0 } token && configured.Contains(endpoint) &&
            (endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || SiteEndpoint.IsLoopback(endpoint)))
        {
            headers.Add("authorization", $"Bearer {token}");
        }

        return headers;
    }

    // The site gets at most --site-timeout-ms, and never more than the caller has left (less a margin to answer it);
    // true when the caller's deadline is the tighter one.
    private (DateTime Deadline, bool CallersOwn) Deadline()
    {
        var own = time.GetUtcNow().UtcDateTime.AddMilliseconds(options.Value.SiteTimeoutMs);
        return ResolutionDeadline.Value is { } caller && caller.AddMilliseconds(-50) < own ? (caller.AddMilliseconds(-50), true) : (own, false);
    }

    private static string DisplayPrefix(string prefix) => prefix.Length == 0 ? "(upstream)" : prefix;

    private static RecordLookup Failed(Pending item, Problem problem) => new(null, Problem: problem, Trace: item.Trace);

    private async ValueTask<PrefixTable?> TableOrNullAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
        {
            return null; // the configured delegations are unknown: only learned ones and the upstream are used
        }
    }

    private sealed record Site(string Prefix, IReadOnlyList<string> Endpoints);

    private sealed record Pending(int Slot, string Key, string Prefix, Site Site)
    {
        public List<Hop> Trace { get; } = [];

        public HashSet<string> Visited { get; } = new(StringComparer.OrdinalIgnoreCase);

        public string Chain() => string.Join(" → ", Trace.Select(h => $"{h.Endpoint} ({DisplayPrefix(h.Prefix)})"));
    }

    private sealed record SiteAnswer(string Endpoint, Protocol.V1.ResolveResult? Result, Problem? Problem, TimeSpan Elapsed);
}
