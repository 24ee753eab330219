namespace Resolver.Core.Resolution;

/// <summary>Where a delegated prefix is served (Handle's HS_SITE, DNS's NS records): the answer for an identifier under it.</summary>
/// <param name="Prefix">The delegated prefix covering the identifier.</param>
/// <param name="Endpoints">The gRPC endpoints of the site serving it.</param>
/// <param name="Ttl">Seconds the referral may be cached.</param>
public sealed record Referral(string Prefix, IReadOnlyList<string> Endpoints, int Ttl);
