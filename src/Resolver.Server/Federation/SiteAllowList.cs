using System.Net;
using Resolver.Core.Prefixes;

namespace Resolver.Server.Federation;

/// <summary>
/// Which endpoints a referral may send this node to (<c>--site-allow</c>; SPEC §4, docs/federation.md): a site learned
/// from another node is outside input, and dialling it is this node's act, so it is checked here before anything is
/// dialled. Entries are CIDR ranges (<c>10.0.0.0/8</c>, <c>fd00::/8</c>), host names (<c>node.example</c>) and host
/// patterns (<c>*.idx.example</c>: any name below it), or <c>*</c> for any site. Without the setting, referrals may name
/// the hosts of the sites this node's administrator configured (delegations and upstream), and loopback only when one of
/// those is loopback. Host names are matched as written, never resolved: a CIDR entry admits IP-literal sites only.
/// Endpoints the administrator configured are always dialled; this list is about those a referral names.
/// </summary>
internal sealed class SiteAllowList
{
    private readonly IPNetwork[] _networks;
    private readonly string[] _hosts;
    private readonly string[] _suffixes;
    private readonly bool _any;

    private SiteAllowList(IPNetwork[] networks, string[] hosts, string[] suffixes, bool any)
    {
        (_networks, _hosts, _suffixes, _any) = (networks, hosts, suffixes, any);
    }

    /// <summary>True when the setting was given; otherwise <see cref="Allows"/> follows the configured sites.</summary>
    public bool IsConfigured => _any || _networks.Length > 0 || _hosts.Length > 0 || _suffixes.Length > 0;

    /// <summary>Parses <c>--site-allow</c>: entries separated by commas or white space; empty: not configured.</summary>
    /// <exception cref="FormatException">An entry that is neither a CIDR range, a host name, a <c>*.</c> pattern nor <c>*</c>, naming it.</exception>
    public static SiteAllowList Parse(string setting)
    {
        var networks = new List<IPNetwork>();
        var hosts = new List<string>();
        var suffixes = new List<string>();
        var any = false;
        foreach (var entry in setting.Split([',', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (entry == "*")
            {
                any = true;
            }
            else if (entry.Contains('/', StringComparison.Ordinal))
            {
                networks.Add(IPNetwork.TryParse(entry, out var network) ? network : throw new FormatException($"'{entry}' is not a CIDR range, e.g. 10.0.0.0/8"));
            }
            else if (entry.StartsWith("*.", StringComparison.Ordinal) && Uri.CheckHostName(entry[2..]) == UriHostNameType.Dns)
            {
                suffixes.Add(entry[1..].ToLowerInvariant()); // ".idx.example"
            }
            else if (IPAddress.TryParse(entry.Trim('[', ']'), out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else if (Uri.CheckHostName(entry) == UriHostNameType.Dns)
            {
                hosts.Add(entry.ToLowerInvariant());
            }
            else
            {
                throw new FormatException($"'{entry}' is not a CIDR range, a host name, a *.domain pattern or *");
            }
        }

        return new SiteAllowList([.. networks], [.. hosts], [.. suffixes], any);
    }

    /// <summary>
    /// True when this node may dial <paramref name="endpoint"/> (scheme://host:port) because a referral named it;
    /// <paramref name="configured"/> are the endpoints of this node's delegations and upstream.
    /// </summary>
    public bool Allows(string endpoint, IEnumerable<string> configured)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            return false;
        }

        return IsConfigured ? Matches(uri) : AllowedByConfiguredSites(uri, configured);
    }

    private bool Matches(Uri uri)
    {
        if (_any)
        {
            return true;
        }

        if (IPAddress.TryParse(uri.IdnHost, out var address))
        {
            return _networks.Any(n => n.Contains(address));
        }

        var host = uri.IdnHost.ToLowerInvariant();
        return _hosts.Contains(host, StringComparer.Ordinal) || _suffixes.Any(suffix => host.EndsWith(suffix, StringComparison.Ordinal));
    }

    // The default: the hosts the administrator configured, and loopback only when one of those is loopback.
    private static bool AllowedByConfiguredSites(Uri uri, IEnumerable<string> configured)
    {
        var loopbackConfigured = false;
        foreach (var site in configured)
        {
            if (!Uri.TryCreate(site, UriKind.Absolute, out var known))
            {
                continue;
            }

            if (string.Equals(known.IdnHost, uri.IdnHost, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            loopbackConfigured |= known.IsLoopback;
        }

        return loopbackConfigured && uri.IsLoopback;
    }

    /// <summary>The endpoints of every configured delegation in <paramref name="table"/> and the upstream.</summary>
    public static IEnumerable<string> ConfiguredSites(PrefixTable? table, string? upstream) =>
        (table?.Entries ?? []).Where(e => e.Kind == PrefixKind.Delegated).SelectMany(e => e.Endpoints).Concat(upstream is null ? [] : [upstream]);
}
