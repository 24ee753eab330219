using Resolver.Core.Prefixes;

namespace Resolver.Federation;

/// <summary>
/// What the user of an <see cref="IterativeResolver"/> decides about sites, apart from the trust rules every user shares:
/// where a referral may send it, which credential each site gets, and what it remembers of the referrals it followed.
/// A recursive node checks <c>--site-allow</c>, sends its <c>--site-token</c> to the sites its administrator named, and
/// learns referrals (the server's stage); the CLI dials what referrals name, anonymously, and remembers nothing.
/// </summary>
public interface IReferralPolicy
{
    /// <summary>
    /// True when a referral reached through <paramref name="authority"/> may send the resolution to
    /// <paramref name="endpoint"/>; asked before anything is dialled. The authority's own endpoints are always allowed.
    /// </summary>
    bool MayDial(string endpoint, SiteAuthority authority);

    /// <summary>The bearer token to present to <paramref name="endpoint"/> when asking it under <paramref name="authority"/>, or null for none.</summary>
    string? CredentialFor(string endpoint, SiteAuthority authority);

    /// <summary>
    /// A referral to a longer prefix was followed: under <paramref name="authority"/>, <paramref name="prefix"/> is served by
    /// <paramref name="endpoints"/> (those <see cref="MayDial"/> admitted) for <paramref name="ttl"/> seconds, as the site said.
    /// </summary>
    void Learn(SiteAuthority authority, string prefix, IReadOnlyList<string> endpoints, int ttl);
}
