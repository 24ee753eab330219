namespace Resolver.Core.Templates;

/// <summary>
/// The value types and indexes templates reserve (SPEC §6a; docs/templates.md). A record declares its template with one
/// <see cref="Reference"/> value; a template's record holds one <see cref="Definition"/> value per published version.
/// </summary>
public static class TemplateTypes
{
    /// <summary>
    /// A record's template: text <c>IDENTIFIER@VERSION</c>, e.g. <c>88.168/TPL.PART@1</c>. The secondary node's API keeps its
    /// template at index 1001 under type <c>TEMPLATE</c>; so does Resolver.
    /// </summary>
    public const string Reference = "TEMPLATE";

    /// <summary>The index the CLI and the secondary node's API put <see cref="Reference"/> at.</summary>
    public const int ReferenceIndex = 1001;

    /// <summary>One published version of a template, as <see cref="TemplateDefinition"/> JSON text.</summary>
    public const string Definition = "TEMPLATE_DEFINITION";

    /// <summary>A deprecated version of a template (text: the version number, or <c>*</c> for all): no new records may declare it.</summary>
    public const string Deprecated = "TEMPLATE_DEPRECATED";

    /// <summary>Whether a <see cref="Deprecated"/> value's text (<c>*</c> or a version number) deprecates <paramref name="version"/>.</summary>
    public static bool Deprecates(string deprecation, int version) =>
        deprecation.Trim() is var which && (which == "*" || which == version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The lowest index an item may take (the enterprise node's convention).</summary>
    public const int FirstItemIndex = 2001;

    /// <summary>Whether values of <paramref name="type"/> are exempt from a template's items: the reserved types and Handle's own (<c>HS_</c>).</summary>
    public static bool IsExempt(string type) =>
        type.StartsWith("HS_", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(type, Reference, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(type, Definition, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(type, Deprecated, StringComparison.OrdinalIgnoreCase);
}
