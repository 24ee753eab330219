using Resolver.Core.Errors;
using Resolver.Handle;
using Resolver.Protocol.V1;

namespace Resolver.Federation;

/// <summary>
/// The Handle site client (SPEC §4: a site may be a Handle server, <c>hdl://host:port</c>, a Handle.Net server or a
/// national-system node). The protocol has no batch: each identifier of an ask is one resolution request, all of them
/// pipelined on the endpoint's persistent TCP connection (<see cref="HandleSites"/>), at most
/// <see cref="HandleSites.MaxInFlight"/> at once, without REC so the server answers for itself. Each answer is
/// translated into resolver.v1 form for <see cref="SiteAnswers"/> to check like any site's: values as they came (HS_*
/// included, absolute TTLs as seconds left), 100 not registered, 301 not responsible (a lame delegation), anything else
/// a per-identifier failure in this node's words. A 301 answer becomes a referral where the server names the prefix's site
/// in <c>0.NA/&lt;prefix&gt;</c>'s HS_SITE values, as a Handle root does (docs/handle-protocol.md, "Handle sites").
/// </summary>
public sealed class HandleSiteClient(HandleSites sites, TimeProvider time) : ISiteClient
{
    /// <inheritdoc/>
    public IReadOnlyList<string> Schemes { get; } = ["hdl"];

    /// <inheritdoc/>
    public async Task<SiteReply> AskAsync(SiteAsk ask, CancellationToken cancellationToken)
    {
        HandleClient client;
        try
        {
            client = sites.Acquire(ask.Endpoint);
        }
        catch (ArgumentException)
        {
            return SiteReply.Failed(SiteFailure.Unreachable("cannot be called"));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Clamp(ask.Deadline - time.GetUtcNow().UtcDateTime));
        try
        {
            // PO as CNRI's own client sends it: a Handle.Net server answers a handle with non-public values 402 without it.
            var answers = await Task.WhenAll(ask.Questions.Select(async question =>
            {
                try
                {
                    var answer = await client.ResolveAsync(new ResolutionRequest(question.Key, question.Filter.Indexes, question.Filter.Types),
                        OpFlags.PublicOnly | OpFlags.CacheCertify, HandleTransport.Tcp, deadline.Token, ask.Hops).ConfigureAwait(false);
                    return ResultOf(question.Key, answer, ask.Endpoint);
                }
                catch (HandleProtocolException)
                {
                    // One unreadable answer fails its own identifier; the connection stays in step (HandleConnection).
                    return Status(question.Key, ErrorKind.Unavailable, Reasons.SiteAnswerInvalid, $"{ask.Endpoint} answered {question.Key} with something that is not a Handle protocol message", Prefix(question.Key));
                }
            })).ConfigureAwait(false);
            await ReferNotResponsibleAsync(client, answers, ask, deadline.Token).ConfigureAwait(false);
            return SiteReply.Answered(answers);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SiteReply.Failed(SiteFailure.TimedOut);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            return SiteReply.Failed(SiteFailure.Unreachable("connection failed")); // also a client closed by HandleSites' bound under the ask
        }
    }

    // 301 is the Handle System's "not here": a server holding prefix handles (a root, a national top-level node) names the
    // prefix's site in the HS_SITE values of 0.NA/<prefix> (RFC 3651 §3.2.2; CNRI's client asks the global service so).
    // That lookup, once per prefix answered 301, turns the answers into a referral; IterativeResolver follows it only under
    // its trust rules (closer than the site asked, to endpoints --site-allow admits). A server that does not hold the
    // prefix handle either (a local server) answers 301 again, and the 301 stands: a lame delegation, or not found upstream.
    private static async Task ReferNotResponsibleAsync(HandleClient client, ResolveResult[] answers, SiteAsk ask, CancellationToken cancellationToken)
    {
        foreach (var group in answers.Select((answer, slot) => (answer, slot))
                     .Where(a => a.answer.Status?.Problem?.Reason == Reasons.PrefixNotHomed)
                     .GroupBy(a => a.answer.Status.Problem.Prefix, StringComparer.Ordinal))
        {
            HandleResponse siteAnswer;
            try
            {
                siteAnswer = await client.ResolveAsync(new ResolutionRequest(HandleProtocol.PrefixHandlePrefix + group.Key, [], [HandleProtocol.SiteType, HandleProtocol.SitePrefixType]),
                    OpFlags.PublicOnly | OpFlags.CacheCertify, HandleTransport.Tcp, cancellationToken, ask.Hops).ConfigureAwait(false);
            }
            catch (HandleProtocolException)
            {
                continue;
            }

            if (siteAnswer.Code == ResponseCode.Success && ReferralOf(group.Key, siteAnswer.Values) is { } referral)
            {
                foreach (var (answer, slot) in group)
                {
                    answers[slot] = new ResolveResult { Identifier = answer.Identifier, Referral = referral };
                }
            }
        }
    }

    /// <summary>
    /// A referral to the servers that <paramref name="values"/>' HS_SITE (and HS_SITE.PREFIX) values describe, each at its
    /// TCP interface (UDP when it has none) as <c>hdl://address:port</c>, in order, duplicates and unreadable values left
    /// out; the TTL is the shortest of those values'. Null when no value names a server.
    /// </summary>
    public static Referral? ReferralOf(string prefix, IEnumerable<Core.Records.HandleValue> values)
    {
        var endpoints = new List<string>();
        var ttl = int.MaxValue;
        foreach (var value in values.Where(v => v.Type.Equals(HandleProtocol.SiteType, StringComparison.OrdinalIgnoreCase) || v.Type.Equals(HandleProtocol.SitePrefixType, StringComparison.OrdinalIgnoreCase)))
        {
            SiteInfo site;
            try
            {
                site = SiteInfo.Decode(value.Data.Bytes ?? System.Text.Encoding.UTF8.GetBytes(value.Data.Text!));
            }
            catch (HandleProtocolException)
            {
                continue; // outside input: a value that does not read as a site names nobody
            }

            ttl = Math.Min(ttl, value.Ttl);
            endpoints.AddRange(site.Servers.Select(server => server.HandleEndpoint()).OfType<string>());
        }

        if (endpoints.Count == 0)
        {
            return null;
        }

        var referral = new Referral { Prefix = prefix, Ttl = Math.Max(0, ttl) };
        referral.Endpoints.AddRange(endpoints.Distinct(StringComparer.Ordinal).Take(Core.Prefixes.PrefixAdministration.MaxSites));
        return referral;
    }

    private static string Prefix(string key) => key[..Math.Max(0, key.IndexOf('/', StringComparison.Ordinal))];

    private static TimeSpan Clamp(TimeSpan left) => left < TimeSpan.Zero ? TimeSpan.Zero : left > TimeSpan.FromMinutes(5) ? TimeSpan.FromMinutes(5) : left;

    /// <summary>One Handle answer in resolver.v1 form (unchecked: <see cref="SiteAnswers"/> checks it as any site's).</summary>
    public static ResolveResult ResultOf(string key, HandleResponse answer, string endpoint)
    {
        var prefix = Prefix(key);
        switch (answer.Code)
        {
            case ResponseCode.Success:
                var record = new Record { Identifier = answer.Handle ?? "" };
                record.Values.AddRange(answer.Values.Select(RemoteRecord.ToProto));
                return new ResolveResult { Identifier = key, Record = record };
            case ResponseCode.ValuesNotFound:
                return new ResolveResult { Identifier = key, Record = new Record { Identifier = key } }; // registered, nothing of what was asked
            case ResponseCode.HandleNotFound:
                return Status(key, ErrorKind.NotFound, Reasons.IdentifierNotFound, $"identifier {key} is not registered at {endpoint}", prefix);
            case ResponseCode.ServerNotResponsible:
                return Status(key, ErrorKind.NotFound, Reasons.PrefixNotHomed, $"{endpoint} is not responsible for prefix {prefix}", prefix);
            case ResponseCode.ServiceReferral or ResponseCode.PrefixReferral when ReferralOf(prefix, answer.Values) is { } referral:
                return new ResolveResult { Identifier = key, Referral = referral }; // CNRI's referral: the HS_SITE values of where to ask
            case ResponseCode.InvalidHandle:
                return Status(key, ErrorKind.InvalidArgument, "invalid-identifier", $"{endpoint} says {key} is not a valid handle: {SiteAnswers.Quoted(answer.Message ?? "")}", prefix);
            default:
                return Status(key, ErrorKind.Unavailable, Reasons.SiteUnavailable, $"{endpoint} answered {ResponseCode.Name(answer.Code)} ({answer.Code}): {SiteAnswers.Quoted(answer.Message ?? "")}", prefix);
        }
    }

    private static ResolveResult Status(string key, ErrorKind kind, string reason, string message, string prefix) => new()
    {
        Identifier = key,
        Status = new ItemStatus { Code = (int)kind, Message = message, Problem = new Protocol.V1.Problem { Reason = reason, Prefix = prefix } },
    };
}
