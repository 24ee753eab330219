using System.Globalization;
using Resolver.Core.Errors;
using Resolver.Core.Records;

namespace Resolver.Server.Rest;

/// <summary>The query parameters of Handle.Net's REST API: <c>type</c>, <c>index</c> (both repeatable) and boolean flags.</summary>
internal static class HandleQuery
{
    /// <summary>
    /// A Handle boolean flag: present without a value (<c>?pretty</c>) or "true"/"1"/"yes" is true; absent,
    /// "false"/"0"/"no" is false; anything else is the default given.
    /// </summary>
    public static bool Flag(IQueryCollection query, string name, bool absent = false)
    {
        if (!query.TryGetValue(name, out var values))
        {
            return absent;
        }

        var value = values.LastOrDefault() ?? "";
        if (value.Length == 0 || value is "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return !(value is "0" || value.Equals("false", StringComparison.OrdinalIgnoreCase) || value.Equals("no", StringComparison.OrdinalIgnoreCase)) && absent;
    }

    /// <summary>The <c>index</c> parameters; "various" (Handle.Net's "the indexes in the body") sets <paramref name="various"/>.</summary>
    public static IReadOnlyList<int> Indexes(IQueryCollection query, out bool various)
    {
        various = false;
        if (!query.TryGetValue("index", out var values))
        {
            return [];
        }

        var indexes = new List<int>(values.Count);
        foreach (var value in values)
        {
            if (string.Equals(value, "various", StringComparison.OrdinalIgnoreCase))
            {
                various = true;
                continue;
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index < 1)
            {
                throw new ResolverException(new Problem(ErrorKind.InvalidArgument, HandleCodes.InvalidFilterReason, $"index=\"{Core.EscapedText.Of(value ?? "", maxLength: 40)}\" is not a value index: indexes are whole numbers from 1"));
            }

            indexes.Add(index);
        }

        return indexes;
    }

    /// <summary>The value filter of a resolution: <c>type</c> and <c>index</c> parameters.</summary>
    public static ValueFilter Filter(IQueryCollection query)
    {
        var types = query.TryGetValue("type", out var given) ? given.Select(t => t ?? "").ToArray() : [];
        var indexes = Indexes(query, out _);
        return new ValueFilter(types, indexes);
    }
}
