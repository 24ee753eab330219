using Google.Protobuf.WellKnownTypes;
using Resolver.Core;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Storage;
using Resolver.Federation;
using Resolver.Protocol.V1;
using CoreHop = Resolver.Core.Resolution.Hop;

namespace Resolver.Cli;

/// <summary>
/// Follows the referrals a node answered (SPEC §4; <c>resolve --no-recurse</c>, or a node that does not recurse) with the
/// same <see cref="IterativeResolver"/> and trust rules as a recursive node: a referral is followed only to a longer
/// prefix covering the identifier, at most <see cref="MaxHops"/> sites, never the same site twice. The node the CLI was
/// pointed at stands where a node's upstream does (the authority of everything it refers), so its empty-prefix referral
/// ("ask my upstream") is followed; a referred site's is not. Sites are asked anonymously: the caller's credential is for
/// the node it named, not for whatever site a referral names. Each site asked is added to the answer's trace.
/// </summary>
internal sealed class ReferralFollowing : IReferralPolicy, IDisposable
{
    /// <summary>The most sites one identifier may take, the node the CLI asked included.</summary>
    public const int MaxHops = 8;

    // The CLI shows what a site sends as its channel receives it: a node's size limits are the node's, not the CLI's.
    private static readonly ResolverLimits Unbounded = new() { MaxValuesPerRecord = int.MaxValue, MaxValueBytes = int.MaxValue, MaxTypeLength = int.MaxValue, MaxRecordBytes = long.MaxValue };

    private readonly CliContext _context;
    private readonly SiteChannels _channels;
    private readonly IterativeResolver _resolver;
    private readonly SiteAuthority _node;

    public ReferralFollowing(CliContext context)
    {
        _context = context;
        _channels = new SiteChannels(new GrpcSiteOptions(TimeSpan.FromSeconds(5), MaxReceiveBytes: 256 * 1024 * 1024), TimeProvider.System);
        _resolver = new IterativeResolver(new SiteClients([new GrpcSiteClient(_channels)]), new SiteAnswers(IdentifierParser.Default, Unbounded), new FollowingLimits(MaxHops, context.Timeout), TimeProvider.System);
        _node = SiteAuthority.ForUpstream(context.Server.TrimEnd('/'));
    }

    /// <summary>
    /// The final answers for <paramref name="asked"/>, each starting from what the node answered (a referral): a record, or
    /// a status (the site's, or why following failed, with the reason id), in order; the identifiers as the caller gave them.
    /// </summary>
    public async Task<ResolveResult[]> FollowAsync(IReadOnlyList<(ResolveRequest Request, ResolveResult Answer)> asked, CancellationToken cancellationToken)
    {
        var queries = asked.Select(a => new SiteQuery(KeyOf(a.Request.Identifier), _node, _node.Prefix, _node.Endpoints)
        {
            Filter = new ValueFilter([.. a.Request.Types_], [.. a.Request.Indexes]),
            Answered = a.Answer,
            TraceSoFar = a.Answer.Trace.Count > 0
                ? [.. a.Answer.Trace.Select(h => new CoreHop(h.Endpoint, h.Prefix, h.Code, h.Cached, h.Elapsed?.ToTimeSpan() ?? TimeSpan.Zero))]
                : [new CoreHop(_context.Server, a.Answer.Referral?.Prefix ?? "", 0, Cached: false, TimeSpan.Zero)],
        }).ToList();
        var outcomes = await _resolver.ResolveAsync(queries, ReadContext.None, this, cancellationToken).ConfigureAwait(false);
        return [.. asked.Zip(outcomes, (a, outcome) => ResultOf(a.Request.Identifier, outcome))];
    }

    public bool MayDial(string endpoint, SiteAuthority authority) => true;

    public string? CredentialFor(string endpoint, SiteAuthority authority) => null;

    public void Learn(SiteAuthority authority, string prefix, IReadOnlyList<string> endpoints, int ttl)
    {
        // One command, no cache: the next identifier asks its node again.
    }

    public void Dispose() => _channels.Dispose();

    // The node answered a referral, so it parsed the identifier; its key here is the one sites are asked for.
    private static string KeyOf(string identifier) =>
        IdentifierParser.Default.TryParse(identifier, out var parsed, out _) ? parsed.Key : identifier;

    private static ResolveResult ResultOf(string identifier, SiteOutcome outcome)
    {
        var result = outcome.Answer?.Clone() ?? new ResolveResult
        {
            Status = new ItemStatus { Code = (int)outcome.Problem!.Kind, Message = outcome.Problem.Message, Problem = new Problem { Reason = outcome.Problem.Reason, Prefix = outcome.Problem.Prefix ?? "", Position = -1 } },
        };
        result.Identifier = identifier;
        result.Trace.Clear();
        result.Trace.AddRange(outcome.Trace.Select(h => new Hop { Endpoint = h.Endpoint, Prefix = h.Prefix, Code = h.Code, Cached = h.Cached, Elapsed = Duration.FromTimeSpan(h.Elapsed) }));
        return result;
    }
}
