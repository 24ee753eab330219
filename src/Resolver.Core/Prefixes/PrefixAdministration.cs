using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Security;
using Resolver.Core.Storage;

namespace Resolver.Core.Prefixes;

/// <summary>Changes which prefixes this node serves, and keeps the <see cref="PrefixDirectory"/> current.</summary>
public sealed class PrefixAdministration(IPrefixStore store, PrefixDirectory directory, IChangeNotifier changes, AuditTrail audit, TimeProvider time)
{
    /// <summary>Makes this node authoritative for <paramref name="prefix"/> (admin only); idempotent.</summary>
    public ValueTask<(PrefixEntry Entry, bool Created)> HomeAsync(Caller caller, string prefix, CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, "home-prefix", prefix, async () =>
        {
            AccessPolicy.RequireAdmin(caller, "homing a prefix");
            var result = await HomeAsync(prefix, cancellationToken).ConfigureAwait(false);
            await audit.LogAsync(caller, "home-prefix", result.Entry.Prefix, result.Created ? "OK" : "OK (already homed)", cancellationToken).ConfigureAwait(false);
            return result;
        }, cancellationToken);

    private static string CanonicalPrefix(string prefix) =>
        IdentifierParser.TryParsePrefix(prefix, out var canonical, out var error) ? canonical : throw new ResolverException(error.ToProblem("prefix", prefix));

    /// <summary>
    /// The sites as endpoints <c>scheme://host:port</c>: gRPC (http, https) or the Handle protocol (hdl, SPEC §4), absolute URLs with a host and an explicit port, nothing
    /// else (no user, path, query or fragment); scheme and host in lower case, each once, in the order given.
    /// </summary>
    private static string[] NormalizedSites(IReadOnlyList<string> sites)
    {
        if (sites.Count == 0)
        {
            throw Invalid(Reasons.InvalidSites, "name at least one site: the gRPC endpoint (https://host:port) or Handle server (hdl://host:port) the prefix is delegated to");
        }

        if (sites.Count > MaxSites)
        {
            throw Invalid(Reasons.InvalidSites, $"{sites.Count} sites is too many: a delegation names at most {MaxSites}");
        }

        var endpoints = new List<string>(sites.Count);
        foreach (var site in sites)
        {
            var endpoint = NormalizedSite(site);
            if (endpoints.Contains(endpoint, StringComparer.Ordinal))
            {
                throw Invalid(Reasons.InvalidSites, $"site {endpoint} is named twice");
            }

            endpoints.Add(endpoint);
        }

        return [.. endpoints];
    }

    /// <summary>
    /// True when <paramref name="site"/> is a site endpoint as delegations store them (scheme://host:port, nothing else):
    /// the same rule for a delegation an administrator makes and for a referral another node sends.
    /// </summary>
    public static bool IsSite(string site)
    {
        try
        {
            _ = NormalizedSite(site);
            return true;
        }
        catch (ResolverException)
        {
            return false;
        }
    }

    private static string NormalizedSite(string site)
    {
        var quoted = $"\"{EscapedText.Of(site, maxLength: 80)}\"";
        if (site.Length > MaxSiteLength || !Uri.TryCreate(site, UriKind.Absolute, out var uri))
        {
            throw Invalid(Reasons.InvalidSite, $"site {quoted} is not an absolute URL; expected the gRPC endpoint, e.g. https://node.example:5443");
        }

        if (uri.Scheme is not ("http" or "https" or "hdl"))
        {
            throw Invalid(Reasons.InvalidSite, $"site {quoted} must use http:// or https:// (gRPC) or hdl:// (the Handle protocol), not {uri.Scheme}://");
        }

        if (uri.Host.Length == 0 || uri.UserInfo.Length > 0)
        {
            throw Invalid(Reasons.InvalidSite, $"site {quoted} must name a host and nothing else before it, e.g. https://node.example:5443");
        }

        if (!HasExplicitPort(site) || uri.Port == 0)
        {
            throw Invalid(Reasons.InvalidSite, $"site {quoted} must name its port, e.g. {uri.Scheme}://{uri.Host}:{uri.Scheme switch { "https" => 5443, "hdl" => 2641, _ => 5280 }}");
        }

        if (uri.AbsolutePath is not ("/" or "") || uri.Query.Length > 0 || uri.Fragment.Length > 0 || site.EndsWith('?') || site.EndsWith('#'))
        {
            throw Invalid(Reasons.InvalidSite, $"site {quoted} must be only scheme://host:port, without a path, query or fragment");
        }

        return $"{uri.Scheme}://{uri.Host}:{uri.Port}";
    }

    // Uri leaves out a default port (443 for https) from everything but the original text, so look there: the authority's
    // last ':' after any IPv6 literal, followed by digits.
    private static bool HasExplicitPort(string site)
    {
        var start = site.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = site.IndexOfAny(['/', '?', '#'], start);
        var authority = end < 0 ? site[start..] : site[start..end];
        var colon = authority.LastIndexOf(':');
        return colon > authority.LastIndexOf(']') && colon < authority.Length - 1 && authority[(colon + 1)..].All(char.IsAsciiDigit);
    }

    private static ResolverException Invalid(string reason, string message) => new(new Problem(ErrorKind.InvalidArgument, reason, message));

    private async ValueTask<(PrefixEntry Entry, bool Created)> HomeAsync(string prefix, CancellationToken cancellationToken)
    {
        if (!IdentifierParser.TryParsePrefix(prefix, out var canonical, out var error))
        {
            throw new ResolverException(error.ToProblem("prefix", prefix));
        }

        var result = await store.AddAsync(new PrefixEntry(canonical, PrefixKind.Homed, [], time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        if (result.Entry.Kind != PrefixKind.Homed)
        {
            throw new ResolverException(new Problem(ErrorKind.FailedPrecondition, "prefix-delegated", $"prefix {canonical} is delegated to {string.Join(", ", result.Entry.Endpoints)}; remove the delegation before homing it here", Prefix: canonical));
        }

        directory.Invalidate();
        if (result.Created)
        {
            await changes.PrefixesChangedAsync(cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Most sites one delegation names.</summary>
    public const int MaxSites = 16;

    /// <summary>Longest a referral may be cached: a week, so that a moved site is found again within one.</summary>
    public const int MaxTtl = 604_800;

    // Longer than any "https://" + 253-character host + ":65535"; a longer site is refused before it is parsed.
    private const int MaxSiteLength = 300;

    /// <summary>
    /// Delegates <paramref name="prefix"/> to the site at <paramref name="sites"/> (admin only): referrals name those sites and may
    /// be cached <paramref name="ttl"/> seconds. Delegating again replaces the sites and TTL. A prefix homed here is refused.
    /// </summary>
    public ValueTask<(PrefixEntry Entry, bool Created)> DelegateAsync(Caller caller, string prefix, IReadOnlyList<string> sites, int ttl, CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, "delegate-prefix", prefix, async () =>
        {
            AccessPolicy.RequireAdmin(caller, "delegating a prefix");
            var canonical = CanonicalPrefix(prefix);
            var endpoints = NormalizedSites(sites);
            if (ttl is < 1 or > MaxTtl)
            {
                throw Invalid(Reasons.InvalidTtl, $"ttl {ttl} is out of range: a referral is cached 1 to {MaxTtl} seconds (a week)");
            }

            var result = await store.PutDelegationAsync(new PrefixEntry(canonical, PrefixKind.Delegated, endpoints, time.GetUtcNow(), Ttl: ttl), cancellationToken).ConfigureAwait(false);
            directory.Invalidate();
            await changes.PrefixesChangedAsync(cancellationToken).ConfigureAwait(false);
            await audit.LogAsync(caller, "delegate-prefix", $"{canonical} {string.Join(',', endpoints)} ttl={ttl}", result.Created ? "OK" : "OK (replaced)", cancellationToken).ConfigureAwait(false);
            return result;
        }, cancellationToken);

    /// <summary>Removes the delegation of <paramref name="prefix"/> (admin only); false when it was not delegated. A prefix homed here is refused.</summary>
    public ValueTask<bool> UndelegateAsync(Caller caller, string prefix, CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, "undelegate-prefix", prefix, async () =>
        {
            AccessPolicy.RequireAdmin(caller, "removing a delegation");
            var canonical = CanonicalPrefix(prefix);
            var removed = await store.RemoveDelegationAsync(canonical, cancellationToken).ConfigureAwait(false);
            if (removed)
            {
                directory.Invalidate();
                await changes.PrefixesChangedAsync(cancellationToken).ConfigureAwait(false);
            }

            await audit.LogAsync(caller, "undelegate-prefix", canonical, removed ? "OK" : "OK (not delegated)", cancellationToken).ConfigureAwait(false);
            return removed;
        }, cancellationToken);

    /// <summary>Every prefix this node knows, in canonical order.</summary>
    public async ValueTask<IReadOnlyList<PrefixEntry>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAuthenticated(caller, "listing prefixes");
        return await store.ListAsync(cancellationToken).ConfigureAwait(false);
    }
}
