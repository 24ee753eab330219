using System.Collections.Frozen;

namespace Resolver.Core.Prefixes;

/// <summary>An immutable snapshot of the prefixes a node knows, answering "who serves this prefix?" by longest match.</summary>
public sealed class PrefixTable
{
    private readonly FrozenDictionary<string, PrefixEntry> _entries;
    private readonly FrozenDictionary<string, SiteAuthority> _sites;

    public PrefixTable(IEnumerable<PrefixEntry> entries)
    {
        _entries = entries.ToFrozenDictionary(e => e.Prefix, StringComparer.Ordinal);
        Entries = [.. _entries.Values.OrderBy(e => e.Prefix, StringComparer.Ordinal)];
        // Once per table, not per lookup: a delegation's authority (and its tag) is what every remote record under it carries.
        _sites = _entries.Values.Where(e => e.Kind == PrefixKind.Delegated).ToFrozenDictionary(e => e.Prefix, SiteAuthority.ForDelegation, StringComparer.Ordinal);
    }

    /// <summary>A table that knows no prefix.</summary>
    public static PrefixTable Empty { get; } = new([]);

    /// <summary>Every entry, in canonical order.</summary>
    public IReadOnlyList<PrefixEntry> Entries { get; }

    /// <summary>The entry with the longest prefix equal to or above <paramref name="prefix"/>, or null when none covers it.</summary>
    public PrefixEntry? FindAuthority(string prefix)
    {
        foreach (var candidate in PrefixPath.SelfAndAncestors(prefix))
        {
            if (_entries.TryGetValue(candidate, out var entry))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>The authority step: where an identifier under <paramref name="prefix"/> is answered (longest match wins).</summary>
    public PrefixRoute Route(string prefix) => FindAuthority(prefix) switch
    {
        { Kind: PrefixKind.Homed } homed => new PrefixRoute(RouteKind.Local, homed),
        { Kind: PrefixKind.Delegated } delegated => new PrefixRoute(RouteKind.Delegated, delegated, _sites[delegated.Prefix]),
        _ => PrefixRoute.Unknown,
    };

    /// <summary>The owner of the longest owned prefix equal to or above <paramref name="prefix"/>, or null when nobody owns it.</summary>
    public string? FindOwner(string prefix)
    {
        foreach (var candidate in PrefixPath.SelfAndAncestors(prefix))
        {
            if (_entries.TryGetValue(candidate, out var entry) && entry.Owner is { } owner)
            {
                return owner;
            }
        }

        return null;
    }
}
