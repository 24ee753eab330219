using System.Globalization;
using System.Text.Json;
using Resolver.Core.Errors;
using Resolver.Core.Records;
using Resolver.Core.Registry;

namespace Resolver.Server.Rest;

/// <summary>Handle values between Resolver's model and Handle.Net's JSON (GsonUtility's shape), both ways.</summary>
internal static class HandleValues
{
    /// <summary>A value as Handle.Net writes it.</summary>
    public static HandleValueJson ToJson(HandleValue value) => new(
        value.Index,
        value.Type,
        value.Data.Text is { } text ? new HandleDataJson("string", text) : new HandleDataJson("base64", Convert.ToBase64String(value.Data.Bytes!)),
        value.Permissions == ValuePermissions.Default ? null : Permissions(value.Permissions),
        value.Ttl,
        Timestamp(value.Timestamp),
        value.References.Count == 0 ? null : [.. value.References.Select(r => new HandleReferenceJson(r.Identifier, r.Index))]);

    /// <summary>A timestamp as Handle.Net writes it: ISO 8601, UTC, to the second.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Handle's four permission bits: admin read, admin write, public read, public write.</summary>
    public static string Permissions(ValuePermissions permissions) => string.Concat(
        Bit(permissions, ValuePermissions.AdminRead), Bit(permissions, ValuePermissions.AdminWrite),
        Bit(permissions, ValuePermissions.PublicRead), Bit(permissions, ValuePermissions.PublicWrite));

    private static char Bit(ValuePermissions permissions, ValuePermissions bit) => permissions.HasFlag(bit) ? '1' : '0';

    /// <summary>
    /// The values of a PUT body as Handle.Net accepts it: an array of values, an object whose <c>values</c> is one, or a
    /// single value. Every value needs a <c>type</c> and <c>data</c> (a string, or <c>{format, value}</c> with format
    /// string, base64 or hex); <c>index</c> (0 or absent: the lowest free), <c>ttl</c> (seconds), <c>permissions</c>
    /// ("1110") and <c>references</c> are optional; <c>timestamp</c> is set by the server. HS_ADMIN values
    /// (<see cref="HandleAdminValues"/>) come back apart: they are checked, not stored.
    /// </summary>
    /// <exception cref="ResolverException">INVALID_ARGUMENT (<c>invalid-value</c>, Handle code 202) naming the value and what is wrong.</exception>
    public static (IReadOnlyList<ValueDraft> Values, IReadOnlyList<HandleAdminValues.Sent> Admins) FromBody(JsonElement body)
    {
        var values = body.ValueKind switch
        {
            JsonValueKind.Array => body,
            JsonValueKind.Object when body.TryGetProperty("values", out var inner) && inner.ValueKind == JsonValueKind.Array => inner,
            JsonValueKind.Object => default,
            _ => throw Invalid("the body must be a JSON array of handle values, an object with \"values\", or one value"),
        };
        var drafts = new List<ValueDraft>();
        var admins = new List<HandleAdminValues.Sent>();
        var position = 1; // counted from 1 in messages, as the body's values are read; not the value's index
        JsonElement[] listed = values.ValueKind == JsonValueKind.Undefined ? [body] : [.. values.EnumerateArray()];
        foreach (var value in listed)
        {
            if (HandleAdminValues.IsAdmin(value))
            {
                admins.Add(HandleAdminValues.Read(value, position++));
            }
            else
            {
                drafts.Add(FromJson(value, position++));
            }
        }

        return (drafts, admins);
    }

    private static ValueDraft FromJson(JsonElement value, int position)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"value #{position} of the body is not a JSON object");
        }

        var index = value.TryGetProperty("index", out var i) ? (i.TryGetInt32(out var n) && n >= 0 ? n : throw Invalid($"value #{position} of the body: \"index\" must be a whole number from 1")) : 0;
        var type = value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : throw Invalid($"value #{position} of the body: \"type\" (a string) is required");
        if (!value.TryGetProperty("data", out var data))
        {
            throw Invalid($"value #{position} of the body ({type}): \"data\" is required");
        }

        int? ttl = !value.TryGetProperty("ttl", out var ttlJson) ? null
            : ttlJson.ValueKind == JsonValueKind.Number && ttlJson.TryGetInt32(out var seconds) && seconds >= 0 ? seconds
            : throw Invalid($"value #{position} of the body ({type}): \"ttl\" must be seconds (absolute expiry times are not supported)");
        ValuePermissions? permissions = value.TryGetProperty("permissions", out var p) ? Permissions(p, position, type) : null;
        IReadOnlyList<ValueReference>? references = value.TryGetProperty("references", out var r) && r.ValueKind != JsonValueKind.Null ? References(r, position, type) : null;
        return new ValueDraft(index, type, Data(data, position, type), ttl, permissions, references);
    }

    private static ValueData Data(JsonElement data, int position, string type)
    {
        if (data.ValueKind == JsonValueKind.String)
        {
            return ValueData.FromText(data.GetString()!);
        }

        var format = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "";
        var text = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        try
        {
            return (format.ToUpperInvariant(), text) switch
            {
                ("STRING", { } s) => ValueData.FromText(s),
                ("BASE64", { } s) => ValueData.FromBytes(Convert.FromBase64String(s)),
                ("HEX", { } s) => ValueData.FromBytes(Convert.FromHexString(s)),
                _ => throw Invalid($"value #{position} of the body ({type}): \"data\" must be a string or {{\"format\": \"string\"|\"base64\"|\"hex\", \"value\": \"...\"}} (admin, vlist and site data are Handle-internal)"),
            };
        }
        catch (FormatException)
        {
            throw Invalid($"value #{position} of the body ({type}): \"data\" is not valid {format}");
        }
    }

    // Handle.Net reads the bits from the end: public write, public read, admin write, admin read.
    private static ValuePermissions Permissions(JsonElement json, int position, string type)
    {
        var bits = json.ValueKind == JsonValueKind.String ? json.GetString()! : "";
        if (bits.Length != 4 || bits.Any(c => c is not ('0' or '1')))
        {
            throw Invalid($"value #{position} of the body ({type}): \"permissions\" must be four bits, admin read, admin write, public read, public write (e.g. \"1110\")");
        }

        var permissions = ValuePermissions.None;
        permissions |= bits[0] == '1' ? ValuePermissions.AdminRead : 0;
        permissions |= bits[1] == '1' ? ValuePermissions.AdminWrite : 0;
        permissions |= bits[2] == '1' ? ValuePermissions.PublicRead : 0;
        permissions |= bits[3] == '1' ? ValuePermissions.PublicWrite : 0;
        return permissions;
    }

    private static List<ValueReference> References(JsonElement json, int position, string type)
    {
        if (json.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"value #{position} of the body ({type}): \"references\" must be an array of {{\"handle\", \"index\"}}");
        }

        var references = new List<ValueReference>();
        foreach (var reference in json.EnumerateArray())
        {
            var handle = reference.ValueKind == JsonValueKind.Object && reference.TryGetProperty("handle", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString()! : throw Invalid($"value #{position} of the body ({type}): a reference needs \"handle\"");
            var index = reference.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) && n >= 0 ? n : 0;
            references.Add(new ValueReference(handle, index));
        }

        return references;
    }

    private static ResolverException Invalid(string message) => new(new Problem(ErrorKind.InvalidArgument, Reasons.InvalidValue, message));
}
