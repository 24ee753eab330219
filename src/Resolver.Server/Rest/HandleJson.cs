using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Resolver.Server.Rest;

/// <summary>
/// Handle.Net's REST answer (Handle.Net Technical Manual, "HTTP JSON REST API"): the Handle protocol response code, the
/// handle, and its values or an error message. Field names and order are Handle's.
/// </summary>
/// <param name="ResponseCode">Handle's code: 1 success, 2 error, 100 handle not found, 101 exists, 102 invalid handle, 200 values not found, ...</param>
/// <param name="Handle">The handle as asked for (resolution) or as registered.</param>
/// <param name="Message">Why, on errors.</param>
/// <param name="Values">The values, on a resolution.</param>
/// <param name="Referral">Where a delegated prefix is served (responseCode 302; a Resolver addition).</param>
public sealed record HandleResponse(
    int ResponseCode,
    string Handle,
    string? Message = null,
    IReadOnlyList<HandleValueJson>? Values = null,
    HandleReferralJson? Referral = null);

/// <summary>One handle value as Handle.Net writes it: <c>permissions</c> only when not the default "1110", <c>references</c> only when there are some.</summary>
/// <param name="Index">The value's index.</param>
/// <param name="Type">The value's type.</param>
/// <param name="Data">The payload with its format.</param>
/// <param name="Permissions">"adminRead adminWrite publicRead publicWrite" as four bits, e.g. "1100"; absent for "1110".</param>
/// <param name="Ttl">Seconds the value may be cached.</param>
/// <param name="Timestamp">When the value last changed, ISO 8601 UTC to the second.</param>
/// <param name="References">Other handles (and value indexes) the value refers to.</param>
/// <param name="Name">With <c>?lang=zh|en</c>, the name of the template item the value is (docs/templates.md); a Resolver addition, absent otherwise.</param>
public sealed record HandleValueJson(
    int Index,
    string Type,
    HandleDataJson Data,
    string? Permissions,
    int Ttl,
    string Timestamp,
    IReadOnlyList<HandleReferenceJson>? References,
    string? Name = null);

/// <summary>
/// A value's payload: <c>format</c> "string" (UTF-8 text) or "base64" (bytes), with the text as <c>value</c>; writes also
/// accept "hex". "admin" (an HS_ADMIN, answered only to those who may write the handle) has a <see cref="HandleAdminJson"/>.
/// </summary>
/// <param name="Format">"string", "base64" or "admin".</param>
/// <param name="Value">The text, the bytes in base64 (both strings), or for "admin" a <see cref="HandleAdminJson"/>.</param>
public sealed record HandleDataJson(string Format, object Value);

/// <summary>An HS_ADMIN's value as Handle.Net writes it: the admin handle, the index of its key there, and the admin permission bits.</summary>
/// <param name="Handle">The admin handle, e.g. "88.168.1/ADMIN".</param>
/// <param name="Index">The index of the admin's secret key in that handle (300).</param>
/// <param name="Permissions">Twelve bits, Handle.Net's admin permissions (add handle, delete handle, add/delete prefix, modify/remove/add/read value, modify/remove/add admin, list).</param>
public sealed record HandleAdminJson(string Handle, int Index, string Permissions);

/// <summary>A reference from a value to another handle, as Handle.Net writes it.</summary>
/// <param name="Handle">The handle referred to.</param>
/// <param name="Index">The value index there; 0 for the whole handle.</param>
public sealed record HandleReferenceJson(string Handle, int Index);

/// <summary>Where a delegated prefix is served: the prefix, the site's endpoints and how long to cache this.</summary>
/// <param name="Prefix">The delegated prefix covering the handle.</param>
/// <param name="Endpoints">The site's endpoints.</param>
/// <param name="Ttl">Seconds the referral may be cached.</param>
public sealed record HandleReferralJson(string Prefix, IReadOnlyList<string> Endpoints, int Ttl);

/// <summary>Serializer settings for Handle JSON: camelCase, nulls left out, non-ASCII and '/' written as they are (as Handle.Net does).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HandleResponse))]
[JsonSerializable(typeof(HandleAdminJson))]
[JsonSerializable(typeof(string))]
internal sealed partial class HandleJsonContext : JsonSerializerContext
{
    private static JsonSerializerOptions Settings(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Handle.Net writes text as it is (Gson without HTML escaping); the relaxed encoder still escapes what JSON requires.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = indented,
    };

    /// <summary>Compact output.</summary>
    public static HandleJsonContext Compact { get; } = new(Settings(indented: false));

    /// <summary>Output for people (<c>?pretty</c>).</summary>
    public static HandleJsonContext Pretty { get; } = new(Settings(indented: true));
}
