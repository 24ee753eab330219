namespace Resolver.Federation;

/// <summary>
/// Asks one endpoint of a site, in one site protocol, about a batch of identifiers without recursion (SPEC §4): the site
/// answers for itself, with a record, a status or a referral per identifier. One implementation per protocol, chosen by
/// the endpoint's scheme (<see cref="SiteClients"/>): gRPC (<c>http://</c>, <c>https://</c>, <see cref="GrpcSiteClient"/>)
/// now, the Handle protocol (<c>hdl://</c>) next. A protocol without batch calls pipelines one request per identifier and
/// gathers the answers; the batch is only how the iterative resolver asks, never a promise of one message.
/// </summary>
public interface ISiteClient
{
    /// <summary>The URI schemes this client speaks, lower case (e.g. <c>http</c>, <c>https</c>).</summary>
    IReadOnlyList<string> Schemes { get; }

    /// <summary>
    /// Asks <see cref="SiteAsk.Endpoint"/> every question of <paramref name="ask"/>. Never throws for what the site or the
    /// network did: the answers, one per question in order (each still outside input, to be checked by
    /// <see cref="SiteAnswers"/>), or a <see cref="SiteFailure"/> in this node's own fixed words.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<SiteReply> AskAsync(SiteAsk ask, CancellationToken cancellationToken);
}
