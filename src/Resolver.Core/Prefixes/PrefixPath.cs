namespace Resolver.Core.Prefixes;

/// <summary>The prefix hierarchy: <c>88.168.1</c> → <c>88.168</c> → <c>88</c>.</summary>
public static class PrefixPath
{
    /// <summary>The prefix itself, then each ancestor up to the top-level segment.</summary>
    public static IEnumerable<string> SelfAndAncestors(string prefix)
    {
        for (var current = prefix; ; )
        {
            yield return current;
            var dot = current.LastIndexOf('.');
            if (dot < 0)
            {
                yield break;
            }

            current = current[..dot];
        }
    }

    /// <summary>True when <paramref name="prefix"/> is <paramref name="ancestor"/> or lies under it (canonical forms).</summary>
    public static bool IsSelfOrDescendant(string prefix, string ancestor) =>
        prefix.Length == ancestor.Length
            ? string.Equals(prefix, ancestor, StringComparison.Ordinal)
            : prefix.Length > ancestor.Length && prefix[ancestor.Length] == '.' && prefix.StartsWith(ancestor, StringComparison.Ordinal);
}
