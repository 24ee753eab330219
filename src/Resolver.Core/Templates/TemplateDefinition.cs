using System.Text.Json.Serialization;

namespace Resolver.Core.Templates;

/// <summary>
/// One published version of an industry metadata template (SPEC §6a; docs/templates.md): the items a record declaring it
/// must or may carry. It is stored, as JSON in this shape, in a <see cref="TemplateTypes.Definition"/> value of the
/// template's own record, one value per version, and never changes once published.
/// </summary>
/// <param name="Identifier">The template's identifier, e.g. <c>88.168/TPL.PART</c>: the record that holds this definition.</param>
/// <param name="Version">1 or more; a record declares the version it was written against.</param>
/// <param name="Names">Its names for people, Chinese and English.</param>
/// <param name="Industry">An industry classification code in GB/T 4754 style, e.g. <c>C/38/382</c>; free text, optional.</param>
/// <param name="AllowExtraItems">Whether a record may carry values of types no item names (false: refused).</param>
/// <param name="Items">The items, each governing the values of one type.</param>
public sealed record TemplateDefinition(
    string Identifier,
    int Version,
    TemplateNames? Names,
    string? Industry,
    bool AllowExtraItems,
    IReadOnlyList<TemplateItem> Items);

/// <summary>Names for people in the two languages of the national system.</summary>
/// <param name="Zh">The Chinese name.</param>
/// <param name="En">The English name.</param>
public sealed record TemplateNames(string? Zh, string? En)
{
    /// <summary>The name in <paramref name="language"/> (<c>zh</c> or <c>en</c>), the other one when that is missing.</summary>
    public string? In(string language) =>
        string.Equals(language, "zh", StringComparison.OrdinalIgnoreCase) ? Zh ?? En : En ?? Zh;
}

/// <summary>
/// One item of a template: the values of type <paramref name="Code"/>, at index <paramref name="Index"/>, and what their data
/// must be. Lengths count characters (Unicode scalar values) of the value's text.
/// </summary>
/// <param name="Index">2001 or more, unique in the template: where the item's value sits in a record.</param>
/// <param name="Code">The value type the item governs, unique in the template ignoring ASCII case, as types are compared.</param>
/// <param name="Names">Its names for people.</param>
/// <param name="DataType">One of <c>string</c>, <c>number</c>, <c>date</c>, <c>datetime</c>, <c>enum</c>, <c>url</c>, <c>identifier</c>, <c>boolean</c>.</param>
/// <param name="Required">A record must carry it.</param>
/// <param name="Repeatable">A record may carry several values of it (the first at <paramref name="Index"/>, the others at indexes no other item takes).</param>
/// <param name="MinLength">The fewest characters its text may have.</param>
/// <param name="MaxLength">The most characters its text may have.</param>
/// <param name="Pattern">A .NET regular expression the whole text must match (anchored; no backreferences or lookarounds: it runs in linear time).</param>
/// <param name="Min">For <c>number</c>: the smallest value, inclusive.</param>
/// <param name="Max">For <c>number</c>: the largest value, inclusive.</param>
/// <param name="Scale">For <c>number</c>: the most digits after the decimal point.</param>
/// <param name="Format">For <c>date</c> and <c>datetime</c>: a .NET custom format, e.g. <c>yyyy-MM-dd</c> (IDHub's <c>YYYY-MM-DD</c> is read as that).</param>
/// <param name="Values">For <c>enum</c>: the members, compared exactly.</param>
/// <param name="Private">Its values are private by default (visible to the enterprise and those it grants): a value written without permissions gets Handle's 1100 on every write path (<see cref="TemplateValueDefaults"/>).</param>
public sealed record TemplateItem(
    int Index,
    string Code,
    TemplateNames? Names,
    string DataType,
    bool Required = false,
    bool Repeatable = false,
    int? MinLength = null,
    int? MaxLength = null,
    string? Pattern = null,
    decimal? Min = null,
    decimal? Max = null,
    int? Scale = null,
    string? Format = null,
    IReadOnlyList<string>? Values = null,
    bool Private = false);

/// <summary>The template file's JSON (camelCase, unknown members refused so that a misspelt rule is not silently ignored).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(TemplateDefinition))]
internal sealed partial class TemplateJsonContext : JsonSerializerContext;
