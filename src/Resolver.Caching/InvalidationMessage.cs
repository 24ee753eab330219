using System.Globalization;
using Resolver.Core.Security;

namespace Resolver.Caching;

/// <summary>
/// The invalidation channel's messages: "r VERSION KEY" for a record, "p" for the prefix table, "a k:KEY-ID e:NAME g:GRANTEE"
/// for what changed in enterprises, keys and grants (read again one by one), and a bare "a" (older replicas) for "reload
/// them all". Key ids are base64url and names letters, digits, '.', '_' and '-': neither holds ' ' or ':'.
/// </summary>
internal static class InvalidationMessage
{
    public const string Prefixes = "p";

    public const string Access = "a";

    public static string ForAccess(IReadOnlyList<AccessChange> changes) =>
        changes.Count == 0 ? Access : $"{Access} {string.Join(' ', changes.Select(c => $"{Letter(c.Kind)}:{c.Subject}"))}";

    /// <summary>Parses an access message: the changes it names, or null for "everything" (a bare "a", or one this version cannot read); false for any other message.</summary>
    public static bool TryParseAccess(string message, out IReadOnlyList<AccessChange>? changes)
    {
        changes = null;
        if (message == Access)
        {
            return true;
        }

        if (!message.StartsWith(Access + " ", StringComparison.Ordinal))
        {
            return false;
        }

        var parsed = new List<AccessChange>();
        foreach (var part in message[(Access.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            AccessChangeKind? kind = part.Length > 2 && part[1] == ':' ? part[0] switch { 'k' => AccessChangeKind.Key, 'e' => AccessChangeKind.Enterprise, 'g' => AccessChangeKind.GrantsTo, _ => null } : null;
            if (kind is null)
            {
                return true; // not ours to understand: reload everything rather than miss it
            }

            parsed.Add(new AccessChange(kind.Value, part[2..]));
        }

        changes = parsed;
        return true;
    }

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

    private static char Letter(AccessChangeKind kind) => kind switch
    {
        AccessChangeKind.Key => 'k',
        AccessChangeKind.Enterprise => 'e',
        _ => 'g',
    };
}
