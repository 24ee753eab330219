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

    /// <summary>Most filters matched by comparing each value with each filter; past it, <see cref="Apply"/> looks types and indexes up in sets.</summary>
    public const int LinearScanLimit = 8;

    /// <summary>
    /// The values of <paramref name="values"/> that pass, in order. With more than <see cref="LinearScanLimit"/> filters the
    /// work is one set lookup per value for its index and type and one per '.' in its type, not one comparison per filter
    /// (issue 25 item 8: 400 type filters against 1,000 values were 400,000 comparisons per query).
    /// </summary>
    public IReadOnlyList<HandleValue> Apply(IReadOnlyList<HandleValue> values)
    {
        if (KeepsAll)
        {
            return values;
        }

        if (Types.Count + Indexes.Count <= LinearScanLimit)
        {
            return [.. values.Where(Matches)];
        }

        var compiled = new CompiledFilter(this);
        return [.. values.Where(compiled.Matches)];
    }

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

    // The filter as sets: exact types (with the parent of each subtype pattern, as "URL." matches "URL"), the parents of
    // subtype patterns ("URL" for "URL."), and indexes. Same answers as Matches.
    private sealed class CompiledFilter
    {
        private readonly HashSet<int> _indexes;
        private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _types;
        private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _parents;
        private readonly bool _anyParent;

        public CompiledFilter(ValueFilter filter)
        {
            _indexes = [.. filter.Indexes];
            var types = new HashSet<string>(AsciiCaseComparer.Instance);
            var parents = new HashSet<string>(AsciiCaseComparer.Instance);
            foreach (var pattern in filter.Types)
            {
                if (pattern.Length > 1 && pattern[^1] == '.')
                {
                    types.Add(pattern[..^1]);
                    parents.Add(pattern[..^1]);
                }
                else
                {
                    types.Add(pattern);
                }
            }

            _types = types.GetAlternateLookup<ReadOnlySpan<char>>();
            _parents = parents.GetAlternateLookup<ReadOnlySpan<char>>();
            _anyParent = parents.Count > 0;
        }

        public bool Matches(HandleValue value)
        {
            if (_indexes.Contains(value.Index) || _types.Contains(value.Type))
            {
                return true;
            }

            if (_anyParent)
            {
                // "URL." matches "URL.pdf": the part before a '.' that has something after it is a subtype pattern's parent.
                var type = value.Type.AsSpan();
                for (var i = 1; i < type.Length - 1; i++)
                {
                    if (type[i] == '.' && _parents.Contains(type[..i]))
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }

    // Types compare ignoring the case of ASCII letters only (as EqualsIgnoringAsciiCase), also for spans of a type.
    private sealed class AsciiCaseComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
    {
        public static readonly AsciiCaseComparer Instance = new();

        public bool Equals(string? x, string? y) => x is null || y is null ? ReferenceEquals(x, y) : EqualsIgnoringAsciiCase(x, y);

        public int GetHashCode(string obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<char> alternate, string other) => EqualsIgnoringAsciiCase(alternate, other);

        public int GetHashCode(ReadOnlySpan<char> alternate)
        {
            var hash = default(HashCode);
            foreach (var c in alternate)
            {
                hash.Add(char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c);
            }

            return hash.ToHashCode();
        }

        public string Create(ReadOnlySpan<char> alternate) => alternate.ToString();
    }
}
