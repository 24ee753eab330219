using Resolver.Caching;
using Resolver.Core.Records;

namespace Resolver.Server.Federation;

/// <summary>
/// Referrals a recursive node has followed, kept in the cache tiers (L1 and Redis, so every replica benefits) for
/// the referral's TTL, capped like any record: Handle keeps a prefix's sites in its prefix handle <c>0.NA/PREFIX</c>
/// as HS_SITE values, and so does this cache. The cache key starts with a space, which no identifier's key can, so a
/// caller can neither read these entries nor plant one by resolving an identifier.
/// </summary>
internal sealed class LearnedReferrals(CacheTiers tiers, TimeProvider time)
{
    /// <summary>The sites of <paramref name="prefix"/> learned from a referral and still fresh, or null.</summary>
    public async ValueTask<IReadOnlyList<string>?> SitesOfAsync(string prefix) =>
        await tiers.GetFreshAsync(Key(prefix)).ConfigureAwait(false) is { } learned
            ? [.. learned.Values.Select(v => v.Data.Text).OfType<string>()]
            : null;

    /// <summary>Remembers that <paramref name="prefix"/> is served by <paramref name="endpoints"/> for <paramref name="ttl"/> seconds.</summary>
    public void Learn(string prefix, IReadOnlyList<string> endpoints, int ttl)
    {
        var now = time.GetUtcNow();
        ttl = Math.Clamp(ttl, 1, 604_800);
        tiers.Remember(new HandleRecord(
            Key(prefix),
            "0.NA/" + prefix,
            1,
            [.. endpoints.Select((endpoint, i) => new HandleValue(i + 1, "HS_SITE", ValueData.FromText(endpoint), ttl, now, ValuePermissions.PublicRead, []))],
            now,
            now));
    }

    private static string Key(string prefix) => " 0.na/" + prefix;
}
