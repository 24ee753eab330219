using Microsoft.Extensions.Caching.Memory;
using Resolver.Core.Prefixes;

namespace Resolver.Server.Federation;

/// <summary>
/// Referrals a recursive node has followed, so that the next identifier under a referred prefix goes straight to its
/// site (DNS: a resolver's cache of delegations). A cache of its own, apart from the record tiers, in this process only,
/// bounded in entries and bytes (<see cref="MaxEntries"/>, <see cref="MaxBytes"/>): whatever sites refer to cannot grow
/// it. Each referral is kept under the authority that led to it (<see cref="SiteAuthority.Tag"/>), and only consulted
/// through that authority: when a delegation is removed, replaced or homed here, or the upstream changes, nothing
/// learned through the old one is used again, and it ages out.
/// </summary>
internal sealed class LearnedReferrals(TimeProvider time) : IDisposable
{
    /// <summary>Most referrals kept.</summary>
    public const int MaxEntries = 10_000;

    /// <summary>Most bytes of referrals kept (prefixes and endpoints, as UTF-16 strings plus overhead).</summary>
    public const long MaxBytes = 4 * 1024 * 1024;

    // Every entry is charged at least this, so the entry bound holds inside the byte bound.
    private const long MinimumCharge = MaxBytes / MaxEntries;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxBytes, CompactionPercentage = 0.1 });

    /// <summary>Referrals kept now (for tests and metrics).</summary>
    public int Count => _cache.Count;

    /// <summary>The sites of <paramref name="prefix"/> learned through <paramref name="authority"/> and still fresh, or null.</summary>
    public IReadOnlyList<string>? SitesOf(SiteAuthority authority, string prefix) =>
        _cache.TryGetValue(Key(authority, prefix), out Learned? learned) && time.GetUtcNow() < learned!.Until ? learned.Endpoints : null;

    /// <summary>Remembers that <paramref name="prefix"/>, under <paramref name="authority"/>, is served by <paramref name="endpoints"/> for <paramref name="ttl"/> seconds (1 s to a week).</summary>
    public void Learn(SiteAuthority authority, string prefix, IReadOnlyList<string> endpoints, int ttl)
    {
        var key = Key(authority, prefix);
        var charge = 64 + (2L * key.Length) + endpoints.Sum(e => 32 + (2L * e.Length));
        var until = time.GetUtcNow().AddSeconds(Math.Clamp(ttl, 1, PrefixAdministration.MaxTtl));
        _cache.Set(key, new Learned([.. endpoints], until), new MemoryCacheEntryOptions { Size = Math.Max(MinimumCharge, charge) });
    }

    public void Dispose() => _cache.Dispose();

    private static string Key(SiteAuthority authority, string prefix) => $"{authority.Tag} {prefix}";

    private sealed record Learned(IReadOnlyList<string> Endpoints, DateTimeOffset Until);
}
