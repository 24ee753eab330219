using System.Globalization;

namespace Resolver.Caching;

/// <summary>The invalidation channel's messages: "r VERSION KEY" for a record, "p" for the prefix table, "a" for enterprises, keys and grants.</summary>
internal static class InvalidationMessage
{
    public const string Prefixes = "p";

    public const string Access = "a";

    public static string ForRecord(string key, long version) => string.Create(CultureInfo.InvariantCulture, $"r {version} {key}");

    /// <summary>Parses a record message; false for anything else.</summary>
    public static bool TryParseRecord(string message, out string key, out long version)
    {
        key = "";
        version = 0;
        var parts = message.Split(' ', 3);
        if (parts is not ["r", var number, var rest] || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out version))
        {
            return false;
        }

        key = rest;
        return true;
    }
}
