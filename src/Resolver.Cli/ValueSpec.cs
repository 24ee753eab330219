using System.Diagnostics.CodeAnalysis;
using Resolver.Protocol.V1;

namespace Resolver.Cli;

/// <summary>Parses the CLI's value syntax <c>[INDEX:]TYPE=DATA</c>: leading digits and a colon are the index; DATA is everything after the first '='.</summary>
internal static class ValueSpec
{
    public static bool TryParse(string spec, [NotNullWhen(true)] out Value? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        var index = 0;
        var rest = spec;
        var digits = spec.TakeWhile(char.IsAsciiDigit).Count();
        if (digits > 0 && digits < spec.Length && spec[digits] == ':')
        {
            if (!int.TryParse(spec.AsSpan(0, digits), out index) || index == 0)
            {
                error = $"value '{spec}': index {spec[..digits]} is not a number from 1 to {int.MaxValue}";
                return false;
            }

            rest = spec[(digits + 1)..];
        }

        var equals = rest.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            error = $"value '{spec}' is not [INDEX:]TYPE=DATA, e.g. URL=https://example.com/p/1 or 2:EMAIL=ops@example.com";
            return false;
        }

        value = new Value { Index = index, Type = rest[..equals], Data = new ValueData { Text = rest[(equals + 1)..] } };
        error = null;
        return true;
    }
}
