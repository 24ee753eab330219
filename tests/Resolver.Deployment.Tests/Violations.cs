using System.Globalization;

namespace Resolver.Deployment.Tests;

/// <summary>Assertions that list every violation at once, so one run shows all that is wrong with a manifest.</summary>
internal static class Violations
{
    public static void None(IEnumerable<string> violations)
    {
        var all = violations.ToList();
        if (all.Count > 0)
        {
            throw new Xunit.Sdk.XunitException($"{all.Count} violation(s):\n  " + string.Join("\n  ", all));
        }
    }
}

/// <summary>Kubernetes resource quantities (memory only: binary and decimal suffixes).</summary>
internal static class Quantity
{
    private static readonly (string Suffix, long Factor)[] Suffixes =
    [
        ("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40),
        ("k", 1000), ("M", 1000_000), ("G", 1000_000_000), ("T", 1000_000_000_000),
    ];

    public static long Bytes(string quantity)
    {
        foreach (var (suffix, factor) in Suffixes)
        {
            if (quantity.EndsWith(suffix, StringComparison.Ordinal))
            {
                return long.Parse(quantity[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
            }
        }

        return long.Parse(quantity, CultureInfo.InvariantCulture);
    }
}
