using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Resolver.Core.Templates;

/// <summary>A template and one of its versions, as a record declares it: <c>IDENTIFIER@VERSION</c> (<see cref="TemplateTypes.Reference"/>).</summary>
/// <param name="Identifier">The template's identifier as written, e.g. <c>88.168/TPL.PART</c>.</param>
/// <param name="Version">1 or more.</param>
public sealed record TemplateReference(string Identifier, int Version)
{
    /// <summary>Reads <c>IDENTIFIER@VERSION</c>: the version is the digits after the last <c>@</c>.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out TemplateReference? reference)
    {
        reference = null;
        var at = text?.LastIndexOf('@') ?? -1;
        if (at <= 0 || !int.TryParse(text.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            return false;
        }

        reference = new TemplateReference(text![..at], version);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Identifier}@{Version}");
}
