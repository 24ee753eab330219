using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using Resolver.Protocol.V1;

namespace Resolver.Cli;

/// <summary>Parses the CLI's value syntax <c>[INDEX:]TYPE=DATA</c>: leading digits and a colon are the index; DATA is everything after the first '='.</summary>
internal static partial class ValueSpec
{
    public static bool TryParse(string spec, [NotNullWhen(true)] out Value? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        var match = Syntax().Match(spec);
        if (!match.Success)
        {
            error = $"value '{spec}' is not [INDEX:]TYPE=DATA, e.g. URL=https://example.com/p/1 or 2:EMAIL=ops@example.com";
            return false;
        }

        var index = 0;
        if (match.Groups["index"].Success &&
            (!int.TryParse(match.Groups["index"].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out index) || index < 1))
        {
            error = $"value '{spec}': index {match.Groups["index"].Value} is not a number from 1 to {int.MaxValue}";
            return false;
        }

        value = new Value { Index = index, Type = match.Groups["type"].Value, Data = new ValueData { Text = match.Groups["data"].Value } };
        error = null;
        return true;
    }

    [GeneratedRegex(@"\A(?:(?<index>-?[0-9]+):)?(?<type>[^=]+)=(?<data>.*)\z", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Syntax();
}
