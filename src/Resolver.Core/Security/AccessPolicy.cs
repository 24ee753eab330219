using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;

namespace Resolver.Core.Security;

/// <summary>
/// Who may do what, in one place: writes only under owned prefixes (the admin anywhere homed); admin
/// operations only for the admin; values without public_read only for the owner, the admin and
/// enterprises the owner granted read access.
/// </summary>
public static class AccessPolicy
{
    /// <summary>Throws UNAUTHENTICATED for anonymous callers, PERMISSION_DENIED for callers that do not own <paramref name="prefix"/>.</summary>
    public static void RequireWrite(Caller caller, string prefix, PrefixTable table)
    {
        RequireAuthenticated(caller, $"writing under {prefix}");
        if (caller.IsAdmin)
        {
            return;
        }

        var owner = table.FindOwner(prefix);
        if (owner != caller.Enterprise)
        {
            throw Denied(owner is null
                ? $"enterprise {caller.Enterprise} may not write under {prefix}: no enterprise owns that prefix (the admin assigns prefixes)"
                : $"enterprise {caller.Enterprise} may not write under {prefix}: it belongs to enterprise {owner}");
        }
    }

    /// <summary>Throws unless the caller is the admin.</summary>
    public static void RequireAdmin(Caller caller, string what)
    {
        RequireAuthenticated(caller, what);
        if (!caller.IsAdmin)
        {
            throw Denied($"{what} is for the node's administrator only");
        }
    }

    /// <summary>Throws UNAUTHENTICATED for anonymous callers.</summary>
    public static void RequireAuthenticated(Caller caller, string what)
    {
        if (caller.Kind == CallerKind.Anonymous)
        {
            throw new ResolverException(new Problem(ErrorKind.Unauthenticated, "credentials-required", $"{what} needs credentials: an enterprise API key or the admin token (CLI: --token or RESOLVER_TOKEN)"));
        }
    }

    /// <summary>Throws unless the caller is the admin or the enterprise <paramref name="enterprise"/> itself.</summary>
    public static void RequireSelfOrAdmin(Caller caller, string enterprise, string what)
    {
        RequireAuthenticated(caller, what);
        if (!caller.IsAdmin && caller.Enterprise != enterprise)
        {
            throw Denied($"{what} is for enterprise {enterprise} or the administrator only");
        }
    }

    /// <summary>The values of <paramref name="record"/> the caller may see, in order.</summary>
    public static IReadOnlyList<HandleValue> Visible(Caller caller, HandleRecord record, IReadOnlyList<HandleValue> values, PrefixTable table, AccessSnapshot access)
    {
        if (caller.IsAdmin || values.All(v => v.Permissions.HasFlag(ValuePermissions.PublicRead)))
        {
            return values;
        }

        var owner = table.FindOwner(record.Prefix);
        if (caller.Enterprise is not { } enterprise || owner is null)
        {
            return [.. values.Where(IsPublic)];
        }

        if (enterprise == owner)
        {
            return values;
        }

        var grants = access.GrantsOf(enterprise).Where(g => g.Owner == owner && PrefixPath.IsSelfOrDescendant(record.Prefix, g.Prefix)).ToList();
        return [.. values.Where(v => IsPublic(v) || grants.Any(g => g.Types.Count == 0 || new ValueFilter(g.Types, []).Matches(v)))];
    }

    private static bool IsPublic(HandleValue value) => value.Permissions.HasFlag(ValuePermissions.PublicRead);

    private static ResolverException Denied(string message) => new(new Problem(ErrorKind.PermissionDenied, "permission-denied", message));
}
