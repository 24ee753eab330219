using System.Globalization;
using System.Text.Json;
using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Security;
using Resolver.Server.Security;

namespace Resolver.Server.Rest;

/// <summary>
/// Handle.Net's <c>HS_ADMIN</c> values on the REST API, derived from the prefix's owner rather than stored (docs/rest.md
/// "Handle clients: Basic credentials and HS_ADMIN"): who may write a record here is decided by prefix ownership
/// (docs/security.md), so an HS_ADMIN a client sends is checked and not stored, and a read by someone who may write
/// the record answers one at index <see cref="Index"/> naming the owner's admin handle (<see cref="AdminHandles"/>).
/// </summary>
internal static class HandleAdminValues
{
    /// <summary>The type, as Handle.Net names it.</summary>
    public const string Type = "HS_ADMIN";

    /// <summary>The index the derived HS_ADMIN is answered at: where Handle.Net's tools and pyhandle put a handle's first admin.</summary>
    public const int Index = 100;

    /// <summary>The admin permission bits answered: what Handle.Net's admin tool (and pyhandle) gives a handle's owner by default.</summary>
    public const string OwnerPermissions = "011111110011";

    /// <summary>An HS_ADMIN value of a PUT body: the admin handle and index it names.</summary>
    /// <param name="Handle">The admin handle, e.g. <c>0.NA/88.168.1</c>.</param>
    /// <param name="AdminIndex">The index of the admin's key in that handle (Handle.Net's tools write it as a number or a numeric string).</param>
    public sealed record Sent(string Handle, int AdminIndex);

    /// <summary>True when <paramref name="value"/> of a PUT body is an HS_ADMIN (type compared ignoring ASCII case).</summary>
    public static bool IsAdmin(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
        && string.Equals(type.GetString(), Type, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads an HS_ADMIN of a PUT body: <c>"data": {"format": "admin", "value": {"handle": H, "index": N, "permissions": "…"}}</c>.
    /// </summary>
    /// <exception cref="ResolverException">INVALID_ARGUMENT (<c>invalid-value</c>, Handle code 202) for any other shape.</exception>
    public static Sent Read(JsonElement value, int position)
    {
        var data = value.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        var format = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        var admin = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Object ? v : default;
        var handle = admin.ValueKind == JsonValueKind.Object && admin.TryGetProperty("handle", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
        int? index = admin.ValueKind != JsonValueKind.Object || !admin.TryGetProperty("index", out var i) ? null
            : i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n) ? n
            : i.ValueKind == JsonValueKind.String && int.TryParse(i.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s
            : null;
        if (!string.Equals(format, "admin", StringComparison.OrdinalIgnoreCase) || handle is null || index is null)
        {
            throw Invalid($"value #{position} of the body ({Type}): \"data\" must be {{\"format\": \"admin\", \"value\": {{\"handle\": \"PREFIX/ADMIN\", \"index\": 300, \"permissions\": \"011111110011\"}}}}");
        }

        return new Sent(handle, index.Value);
    }

    /// <summary>
    /// Checks that every HS_ADMIN sent for <paramref name="handle"/> names an admin handle of its prefix or of a prefix
    /// above it (<c>P/ADMIN</c> or <c>0.NA/P</c>): any other admin would have rights on Handle.Net that it would not have
    /// here, so it is refused rather than silently dropped.
    /// </summary>
    /// <exception cref="ResolverException">INVALID_ARGUMENT (<c>invalid-value</c>, Handle code 202) naming the admin.</exception>
    public static void Check(string handle, IReadOnlyList<Sent> admins)
    {
        var slash = handle.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !IdentifierPrefix(handle[..slash], out var prefix))
        {
            return; // not a handle: the write refuses it with the grammar's rule
        }

        foreach (var admin in admins)
        {
            if (!AdminHandles.TryGetPrefix(admin.Handle, out var adminPrefix) || !PrefixPath.IsSelfOrDescendant(prefix, adminPrefix))
            {
                throw Invalid($"{Type} names {admin.AdminIndex}:{admin.Handle}, which is not an admin handle of prefix {prefix} or of a prefix above it: "
                    + $"here who may write a handle is its prefix's owner, so {Type} is derived from it (name {AdminHandles.Of(prefix)} or {Handle.HandleProtocol.PrefixHandlePrefix}{prefix}, or leave {Type} out; docs/rest.md)");
            }
        }
    }

    /// <summary>
    /// The HS_ADMIN a read by <paramref name="caller"/> answers for <paramref name="record"/>, or null: only to the admin
    /// and the prefix's owner, only for a record homed here, never with <c>publicOnly</c>, only when the filter admits it
    /// and no value of the answer already sits at <see cref="Index"/>.
    /// </summary>
    public static HandleValueJson? For(Caller caller, HandleRecord record, IReadOnlyList<HandleValue> answered, ValueFilter filter, bool publicOnly, PrefixTable table)
    {
        if (publicOnly || table.Route(record.Prefix).Kind != RouteKind.Local || answered.Any(v => v.Index == Index))
        {
            return null;
        }

        var owned = OwnedPrefix(table, record.Prefix);
        var mayWrite = caller.IsAdmin || (caller.Enterprise is { } enterprise && owned?.Owner == enterprise);
        var probe = new HandleValue(Index, Type, ValueData.FromText(""), HandleValue.DefaultTtl, record.CreatedAt, ValuePermissions.AdminRead | ValuePermissions.AdminWrite, []);
        if (!mayWrite || !(filter.KeepsAll || filter.Matches(probe)))
        {
            return null;
        }

        var adminPrefix = owned?.Prefix ?? table.FindAuthority(record.Prefix)!.Prefix;
        return new HandleValueJson(
            Index,
            Type,
            new HandleDataJson("admin", new HandleAdminJson(AdminHandles.Of(adminPrefix), AdminHandles.SecretKeyIndex, OwnerPermissions)),
            HandleValues.Permissions(probe.Permissions),
            HandleValue.DefaultTtl,
            HandleValues.Timestamp(record.CreatedAt),
            null);
    }

    /// <summary>
    /// Whether the writer's own unfiltered GET of a record with <paramref name="values"/> answers the derived HS_ADMIN, so
    /// that the ETag a write compares against is that GET's (<see cref="HandleReads.ETag"/>).
    /// </summary>
    public static bool ShownToWriter(IReadOnlyList<HandleValue> values) => values.All(v => v.Index != Index);

    // The owned prefix entry nearest above (or at) the prefix: its owner may write there.
    private static PrefixEntry? OwnedPrefix(PrefixTable table, string prefix)
    {
        var owner = table.FindOwner(prefix);
        return owner is null ? null : table.Entries.Where(e => e.Owner == owner && PrefixPath.IsSelfOrDescendant(prefix, e.Prefix)).MaxBy(e => e.Prefix.Length);
    }

    private static bool IdentifierPrefix(string text, out string prefix)
    {
        var ok = Core.Identifiers.IdentifierParser.TryParsePrefix(text, out var parsed, out _);
        prefix = parsed ?? "";
        return ok;
    }

    private static ResolverException Invalid(string message) => new(new Problem(ErrorKind.InvalidArgument, Reasons.InvalidValue, message));
}
