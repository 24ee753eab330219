namespace Resolver.Core.Records;

/// <summary>
/// Which values a resolve returns: those whose type matches one of <see cref="Types"/> or whose index
/// is one of <see cref="Indexes"/>; everything when both are empty. A type ending in "." matches
/// that type and its subtypes ("URL." matches "URL" and "URL.pdf"); types compare ignoring ASCII case.
/// </summary>
public sealed record ValueFilter(IReadOnlyList<string> Types, IReadOnlyList<int> Indexes)
{
    /// <summary>The filter that keeps every value.</summary>
    public static ValueFilter All { get; } = new([], []);

    /// <summary>True when the filter keeps every value.</summary>
    public bool KeepsAll => Types.Count == 0 && Indexes.Count == 0;

    /// <summary>True when <paramref name="value"/> passes the filter.</summary>
    public bool Matches(HandleValue value)
    {
        if (KeepsAll || Indexes.Contains(value.Index))
        {
            return true;
        }

        foreach (var type in Types)
        {
            if (TypeMatches(type, value.Type))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The values of <paramref name="values"/> that pass, in order.</summary>
    public IReadOnlyList<HandleValue> Apply(IReadOnlyList<HandleValue> values) =>
        KeepsAll ? values : [.. values.Where(Matches)];

    private static bool TypeMatches(string pattern, string type)
    {
        if (pattern.Length > 1 && pattern[^1] == '.')
        {
            var parent = pattern.AsSpan(0, pattern.Length - 1);
            return EqualsIgnoringAsciiCase(type, parent) ||
                (type.Length > pattern.Length && EqualsIgnoringAsciiCase(type.AsSpan(0, pattern.Length), pattern));
        }

        return EqualsIgnoringAsciiCase(pattern, type);
    }

    /// <summary>Equal but for the case of ASCII letters; other characters must match exactly.</summary>
    internal static bool EqualsIgnoringAsciiCase(ReadOnlySpan<char> left, ReadOnlySpan<char> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        for (var i = 0; i < left.Length; i++)
        {
            char a = left[i], b = right[i];
            if (a != b && !(char.IsAsciiLetter(a) && (a | 0x20) == (b | 0x20)))
            {
                return false;
            }
        }

        return true;
    }
}
