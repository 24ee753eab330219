using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Resolution;
using Resolver.Core.Storage;
using Resolver.Federation;
using Resolver.Server.Configuration;

namespace Resolver.Server.Federation;

/// <summary>
/// The resolution chain's stage for identifiers other nodes serve, on a recursive node (SPEC §4; docs/federation.md).
/// The resolution path has routed each key already: a key with an authority (<see cref="RecordKey.Site"/>, the
/// delegation or the upstream) is resolved here, the rest go to the next stage. The hop-by-hop following and its trust
/// rules are the shared <see cref="IterativeResolver"/>'s; this stage adds what is the node's own: where each key starts
/// (the longest referral learned under its authority, <see cref="LearnedReferrals"/>), which referred endpoints it may
/// dial (<c>--site-allow</c>, <see cref="NodeReferralPolicy"/>), which sites get its <c>--site-token</c>, and the
/// answer as a lookup of the chain. The records fetched go back through the stages in front, so they are cached (under
/// their authority), coalesced and served stale like local ones. Outages and broken delegations are per-key problems,
/// never throws.
/// </summary>
internal sealed class SiteRecordSource(
    IRecordSource next,
    PrefixDirectory prefixes,
    LearnedReferrals learned,
    IterativeResolver resolver,
    Recursion recursion,
    IOptions<FederationOptions> options) : IRecordSource
{
    private readonly SiteAllowList _allowed = SiteAllowList.Parse(options.Value.SiteAllow);

    public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
    {
        var remote = new List<SiteQuery>();
        var remoteSlots = new List<int>();
        List<int>? local = null;
        for (var i = 0; i < keys.Count; i++)
        {
            if (keys[i] is { Site: { } authority } key)
            {
                remote.Add(FirstSite(key.Key, authority));
                remoteSlots.Add(i);
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
        var policy = new NodeReferralPolicy(_allowed, configured, learned, options.Value.SiteToken);
        var localRead = local is null ? Task.FromResult<IReadOnlyList<RecordLookup>>([]) : next.GetManyAsync([.. local.Select(i => keys[i])], context, cancellationToken).AsTask();
        var outcomes = await resolver.ResolveAsync(remote, context, policy, cancellationToken).ConfigureAwait(false);
        for (var j = 0; j < outcomes.Length; j++)
        {
            var outcome = outcomes[j];
            results[remoteSlots[j]] = new RecordLookup(outcome.Record, Problem: outcome.Problem, Trace: outcome.Trace);
        }

        var read = await localRead.ConfigureAwait(false);
        for (var j = 0; j < (local?.Count ?? 0); j++)
        {
            results[local![j]] = read[j];
        }

        return results;
    }

    // Where to start: the longest referral learned through this authority below its prefix, else the authority's own site.
    private SiteQuery FirstSite(string key, SiteAuthority authority)
    {
        foreach (var candidate in PrefixPath.SelfAndAncestors(key[..key.IndexOf('/', StringComparison.Ordinal)]))
        {
            if (candidate.Length <= authority.Prefix.Length)
            {
                break;
            }

            if (learned.SitesOf(authority, candidate) is { Count: > 0 } endpoints)
            {
                return new SiteQuery(key, authority, candidate, endpoints);
            }
        }

        return new SiteQuery(key, authority, authority.Prefix, authority.Endpoints);
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
}
