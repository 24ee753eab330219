using System.Diagnostics;
using Grpc.Core;
using Google.Protobuf.WellKnownTypes;
using Resolver.Protocol.V1;

namespace Resolver.Cli;

/// <summary>
/// Follows referrals for a node that does not recurse (SPEC §4): asks the referred site, without recursion, until a
/// site answers with a record or a status, at most <see cref="MaxHops"/> sites, never the same site twice. Sites are
/// asked anonymously: the caller's credential is for the node it named, not for whatever site a referral names.
/// Each site asked is added to the answer's trace.
/// </summary>
internal static class ReferralFollower
{
    public const int MaxHops = 8;

    /// <summary>The final answer for <paramref name="request"/>, starting from <paramref name="result"/> (which may hold a referral).</summary>
    /// <exception cref="RpcException">A site's failure status, with the chain so far in the message.</exception>
    public static async Task<ResolveResult> FollowAsync(CliContext context, ResolveRequest request, ResolveResult result, CancellationToken cancellationToken)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal) { context.Server.TrimEnd('/') };
        var trace = result.Trace.Count > 0 ? result.Trace.Clone() : [new Hop { Endpoint = context.Server, Prefix = result.Referral.Prefix, Code = 0 }];
        while (result.Referral is { } referral)
        {
            if (trace.Count > MaxHops)
            {
                throw Chain(StatusCode.FailedPrecondition, $"identifier {request.Identifier} was still referred after {MaxHops} sites", trace);
            }

            var endpoint = referral.Endpoints.FirstOrDefault(e => !visited.Contains(e.TrimEnd('/')))
                ?? throw Chain(StatusCode.FailedPrecondition, $"a delegation loop: {referral.Prefix} is referred back to a site already asked", trace);
            visited.Add(endpoint.TrimEnd('/'));
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var site) || site.Scheme is not ("http" or "https"))
            {
                throw Chain(StatusCode.FailedPrecondition, $"the referral names \"{endpoint}\", which is not a node's http(s) address", trace);
            }

            using var channel = ClientChannel.Create(site, LoadBalancing.PickFirst, context.DnsRefresh);
            var started = Stopwatch.GetTimestamp();
            var hop = new Hop { Endpoint = endpoint, Prefix = referral.Prefix };
            trace.Add(hop);
            try
            {
                var asked = request.Clone();
                asked.NoRecursion = true;
                result = await new Resolution.ResolutionClient(channel).ResolveAsync(asked, new CallOptions(deadline: DateTime.UtcNow + context.Timeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
                hop.Elapsed = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started));
            }
            catch (RpcException exception)
            {
                hop.Code = (int)exception.StatusCode;
                hop.Elapsed = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started));
                throw Chain(exception.StatusCode, $"site {endpoint}: {exception.Status.Detail}", trace);
            }
        }

        result.Trace.Clear();
        result.Trace.AddRange(trace);
        return result;
    }

    private static RpcException Chain(StatusCode code, string message, IEnumerable<Hop> trace) =>
        new(new Status(code, $"{message} (asked: {string.Join(" → ", trace.Select(h => $"{h.Endpoint} ({h.Prefix})"))})"));
}
