using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Resolver.Core.Identifiers;
using Resolver.Handle;

namespace Resolver.Server.Security;

/// <summary>
/// Handle.Net's admin-handle convention mapped onto this node's owners (docs/rest.md "Handle clients: Basic credentials
/// and HS_ADMIN"). A Handle client names itself <c>INDEX:ADMIN-HANDLE</c> (e.g. <c>300:88.168.1/ADMIN</c>) and proves it
/// with the secret key held at that index. Here the admin handles of a prefix <c>P</c> are <c>P/ADMIN</c> and
/// <c>0.NA/P</c> (the prefix handle Handle.Net's tools default to); the key at index <see cref="SecretKeyIndex"/> of
/// either is any live API key of the enterprise that owns <c>P</c> (the admin token for the node's administrator), and
/// HS_ADMIN values name them.
/// </summary>
internal static class AdminHandles
{
    /// <summary>The index of the secret key (<c>HS_SECKEY</c>) in an admin handle, as Handle.Net's tools and pyhandle write it.</summary>
    public const int SecretKeyIndex = 300;

    /// <summary>The suffix of an enterprise-style admin handle, <c>P/ADMIN</c> (ASCII case ignored).</summary>
    public const string AdminSuffix = "ADMIN";

    /// <summary>The admin handle this node writes in HS_ADMIN values for prefix <paramref name="prefix"/>: <c>P/ADMIN</c>.</summary>
    public static string Of(string prefix) => $"{prefix}/{AdminSuffix}";

    /// <summary>
    /// The prefix whose admin handle <paramref name="handle"/> is (<c>P/ADMIN</c> or <c>0.NA/P</c>), canonical (lower
    /// case); false for any other handle.
    /// </summary>
    public static bool TryGetPrefix(string handle, [NotNullWhen(true)] out string? prefix)
    {
        prefix = null;
        var slash = handle.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return false;
        }

        var named = handle.StartsWith(HandleProtocol.PrefixHandlePrefix, StringComparison.OrdinalIgnoreCase) ? handle[HandleProtocol.PrefixHandlePrefix.Length..]
            : string.Equals(handle[(slash + 1)..], AdminSuffix, StringComparison.OrdinalIgnoreCase) ? handle[..slash]
            : null;
        return named is not null && IdentifierParser.TryParsePrefix(named, out prefix, out _);
    }

    /// <summary>
    /// Splits a Handle user name <c>INDEX:HANDLE</c> (already percent-decoded) into its index and handle; false when it is
    /// not shaped so.
    /// </summary>
    public static bool TryParseUser(string user, out int index, [NotNullWhen(true)] out string? handle)
    {
        index = 0;
        handle = null;
        var colon = user.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !int.TryParse(user.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            return false;
        }

        handle = user[(colon + 1)..];
        return handle.Length > 0;
    }
}
