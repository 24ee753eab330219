using Resolver.Core.Records;

namespace Resolver.Storage;

/// <summary>What both stores do with the rows of a batched read.</summary>
internal static class RecordRows
{
    /// <summary>The rows found, aligned with the keys asked for (duplicates answered alike; null where no row exists).</summary>
    public static HandleRecord?[] AlignTo(IReadOnlyList<string> keys, IEnumerable<HandleRecord> rows)
    {
        var byKey = rows.ToDictionary(row => row.Key, StringComparer.Ordinal);
        return [.. keys.Select(key => byKey.GetValueOrDefault(key))];
    }
}
