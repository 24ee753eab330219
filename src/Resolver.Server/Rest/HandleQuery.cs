using System.Globalization;
using Resolver.Core.Errors;
using Resolver.Core.Records;

namespace Resolver.Server.Rest;

/// <summary>
/// The query parameters of one Handle REST request, parsed before anything is done (SPEC §6: a parameter that does not
/// parse is a 400 naming it, never a broader action and never a 500).
/// </summary>
/// <param name="Types">GET <c>type</c> values, as given (the resolution path checks them).</param>
/// <param name="Indexes">The <c>index</c> values: whole numbers from 1.</param>
/// <param name="IndexesOfBody">PUT <c>index=various</c>: every value in the body (Handle.Net's spelling).</param>
/// <param name="Pretty"><c>pretty</c>: indented JSON.</param>
/// <param name="PublicOnly">GET <c>publicOnly</c>; null when not given (the caller's kind decides).</param>
/// <param name="DoNotRefer">GET <c>doNotRefer</c>: a referral rather than a recursive answer.</param>
/// <param name="Overwrite">PUT <c>overwrite</c>: true unless <c>overwrite=false</c>.</param>
/// <param name="Reuse">PUT <c>reuse</c>: register a deleted identifier again.</param>
/// <param name="Language">GET <c>lang</c>: <c>zh</c> or <c>en</c>, the language of template item names to add; null: none.</param>
internal sealed record HandleParameters(
    IReadOnlyList<string> Types,
    IReadOnlyList<int> Indexes,
    bool IndexesOfBody,
    bool Pretty,
    bool? PublicOnly,
    bool DoNotRefer,
    bool Overwrite,
    bool Reuse,
    string? Language = null)
{
    /// <summary>The value filter of a resolution.</summary>
    public ValueFilter Filter => new(Types, Indexes);
}

/// <summary>
/// Each Handle REST route's query parameters, declared once per route and parsed strictly: a value that does not parse,
/// or a flag given twice with different values, is INVALID_ARGUMENT <c>invalid-parameter</c> naming the parameter
/// (Handle code 4, HTTP 400). A write route refuses parameters it does not take — a misspelled <c>index</c> would
/// otherwise widen a DELETE to the whole handle; GET ignores unknown ones, as Handle.Net does (cache busters such as
/// <c>?_=1700000000</c> keep working).
/// </summary>
internal static class HandleQuery
{
    /// <summary>The reason id of a query parameter refused.</summary>
    public const string InvalidParameterReason = "invalid-parameter";

    private const string Type = "type", Index = "index", Pretty = "pretty", PublicOnly = "publicOnly", DoNotRefer = "doNotRefer",
        Auth = "auth", Overwrite = "overwrite", Reuse = "reuse", MintNewSuffix = "mintNewSuffix", Lang = "lang";

    private static readonly string[] GetParameters = [Type, Index, Pretty, PublicOnly, DoNotRefer, Auth, Lang];
    private static readonly string[] PutParameters = [Index, Overwrite, Reuse, MintNewSuffix, Pretty];
    private static readonly string[] DeleteParameters = [Index, Pretty];

    /// <summary>
    /// <c>GET</c> (and <c>HEAD</c>): <c>type</c> and <c>index</c> (repeatable), <c>pretty</c>, <c>publicOnly</c>,
    /// <c>doNotRefer</c>, <c>auth</c> (accepted), <c>lang</c> (<c>zh</c> or <c>en</c>: template item names); others are ignored.
    /// </summary>
    /// <exception cref="ResolverException">INVALID_ARGUMENT <c>invalid-parameter</c> naming the parameter.</exception>
    public static HandleParameters ForGet(IQueryCollection query)
    {
        _ = Flag(query, Auth, absent: false); // accepted (docs/rest.md, "auth=true"), but it must still parse
        return new HandleParameters(
            Types: query.TryGetValue(Type, out var types) ? [.. types.Select(t => t ?? "")] : [],
            Indexes: Indexes(query, "GET", allowVarious: false, out _),
            IndexesOfBody: false,
            Pretty: Flag(query, Pretty, absent: false),
            PublicOnly: query.ContainsKey(PublicOnly) ? Flag(query, PublicOnly, absent: false) : null,
            DoNotRefer: Flag(query, DoNotRefer, absent: false),
            Overwrite: false,
            Reuse: false,
            Language: Language(query));
    }

    private static string? Language(IQueryCollection query) =>
        !query.TryGetValue(Lang, out var given) ? null
        : given.Count == 1 && given[0] is "zh" or "en" ? given[0]
        : throw Invalid($"lang '{given}' must be zh or en (the language of template item names)");

    /// <summary><c>PUT</c>: <c>index</c> (repeatable, or <c>various</c>), <c>overwrite</c>, <c>reuse</c>, <c>mintNewSuffix=false</c>, <c>pretty</c>.</summary>
    /// <exception cref="ResolverException">INVALID_ARGUMENT <c>invalid-parameter</c> naming the parameter, also for one PUT does not take.</exception>
    public static HandleParameters ForPut(IQueryCollection query)
    {
        RefuseUnknown(query, "PUT", PutParameters);
        if (Flag(query, MintNewSuffix, absent: false))
        {
            throw Invalid("mintNewSuffix=true (minting a suffix) is not supported: PUT the whole handle you want, e.g. /api/handles/88.168.1/ABC-001");
        }

        return new HandleParameters(
            Types: [],
            Indexes: Indexes(query, "PUT", allowVarious: true, out var various),
            IndexesOfBody: various,
            Pretty: Flag(query, Pretty, absent: false),
            PublicOnly: null,
            DoNotRefer: false,
            Overwrite: Flag(query, Overwrite, absent: true),
            Reuse: Flag(query, Reuse, absent: false));
    }

    /// <summary><c>DELETE</c>: <c>index</c> (repeatable, numbers only: the values to delete) and <c>pretty</c>.</summary>
    /// <exception cref="ResolverException">INVALID_ARGUMENT <c>invalid-parameter</c> naming the parameter, also for one DELETE does not take.</exception>
    public static HandleParameters ForDelete(IQueryCollection query)
    {
        RefuseUnknown(query, "DELETE", DeleteParameters);
        return new HandleParameters(
            Types: [],
            Indexes: Indexes(query, "DELETE", allowVarious: false, out _),
            IndexesOfBody: false,
            Pretty: Flag(query, Pretty, absent: false),
            PublicOnly: null,
            DoNotRefer: false,
            Overwrite: false,
            Reuse: false);
    }

    /// <summary>Whether an answer is indented: <c>pretty</c> when it parses as true, never an error (answers to refusals use it too).</summary>
    public static bool WantsPretty(IQueryCollection query) =>
        query.TryGetValue(Pretty, out var values) && values.All(v => ParseFlag(v) == true);

    /// <summary>
    /// A Handle boolean flag: present without a value (<c>?pretty</c>), "true", "1" or "yes" is true; "false", "0" or "no"
    /// is false (ASCII case ignored); absent is <paramref name="absent"/>; anything else is refused.
    /// </summary>
    private static bool Flag(IQueryCollection query, string name, bool absent)
    {
        if (!query.TryGetValue(name, out var values))
        {
            return absent;
        }

        bool? flag = null;
        foreach (var value in values)
        {
            var parsed = ParseFlag(value) ?? throw Invalid($"{name}={Quoted(value)} is not a flag: give {name}=true or {name}=false");
            if (flag is { } earlier && earlier != parsed)
            {
                throw Invalid($"{name} is given twice, as true and as false: give it once");
            }

            flag = parsed;
        }

        return flag ?? absent;
    }

    private static bool? ParseFlag(string? value) => (value ?? "").ToUpperInvariant() switch
    {
        "" or "1" or "TRUE" or "YES" => true,
        "0" or "FALSE" or "NO" => false,
        _ => null,
    };

    // index=N, repeatable; "various" (PUT only) means every value of the body.
    private static List<int> Indexes(IQueryCollection query, string method, bool allowVarious, out bool various)
    {
        various = false;
        if (!query.TryGetValue(Index, out var values))
        {
            return [];
        }

        var indexes = new List<int>(values.Count);
        foreach (var value in values)
        {
            if (string.Equals(value, "various", StringComparison.OrdinalIgnoreCase))
            {
                various = allowVarious
                    ? true
                    : throw Invalid($"index=various names the values of a PUT body; a {method} names the indexes themselves, e.g. index=2&index=3");
                continue;
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index < 1)
            {
                throw Invalid($"index={Quoted(value)} is not a value index: indexes are whole numbers from 1{(allowVarious ? ", or various for every value in the body" : "")}");
            }

            indexes.Add(index);
        }

        return indexes;
    }

    private static void RefuseUnknown(IQueryCollection query, string method, string[] known)
    {
        foreach (var (name, _) in query)
        {
            if (!known.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw Invalid($"parameter {Quoted(name)} is not one {method} /api/handles takes: {string.Join(", ", known)} (docs/rest.md)");
            }
        }
    }

    private static string Quoted(string? text) => $"\"{Core.EscapedText.Of(text ?? "", maxLength: 40)}\"";

    // Every message starts with the parameter as the client spelled it, so that a person sees at once what to fix.
    private static ResolverException Invalid(string message) =>
        new(new Problem(ErrorKind.InvalidArgument, InvalidParameterReason, message));
}
