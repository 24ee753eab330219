using System.Globalization;
using Resolver.Core.Identifiers;

namespace Resolver.Core.Templates;

/// <summary>
/// The data types an item may have (docs/templates.md, "Data types"), each compiled once per template version into a
/// check of a value's text that answers null when it conforms or the broken rule, e.g. <c>"12,5kg" is not a number</c>.
/// </summary>
internal static class ItemDataTypes
{
    /// <summary>The names a definition may use.</summary>
    public static readonly string[] Names = ["string", "number", "date", "datetime", "enum", "url", "identifier", "boolean"];

    // datetime's formats when the item names none: ISO 8601 with an offset or Z (never without: a time without one names no
    // instant), with or without fractions of a second.
    private static readonly string[] IsoDateTimes =
        ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

    // decimal holds 28 to 29 significant digits and rounds past them, which could carry a value over min or max unseen.
    private const int MaxDigits = 28;

    /// <summary>
    /// The check of <paramref name="item"/>'s data type, or null after adding to <paramref name="errors"/> why the item's
    /// type rules cannot be compiled (an unknown type, a bad format, min above max...).
    /// </summary>
    public static Func<string, string?>? Compile(TemplateItem item, IdentifierParser parser, List<string> errors)
    {
        var where = $"item {item.Code}";
        if (item.DataType != "number" && (item.Min is not null || item.Max is not null || item.Scale is not null))
        {
            errors.Add($"{where}: min, max and scale apply to dataType number only, not {item.DataType}");
        }

        if (item.DataType is not ("date" or "datetime") && item.Format is not null)
        {
            errors.Add($"{where}: format applies to dataType date and datetime only, not {item.DataType}");
        }

        if (item.DataType != "enum" && item.Values is not null)
        {
            errors.Add($"{where}: values apply to dataType enum only, not {item.DataType}");
        }

        switch (item.DataType)
        {
            case "string":
                return static _ => null;
            case "number":
                return Number(item, where, errors);
            case "date":
            case "datetime":
                return Date(item, where, errors);
            case "enum":
                return Enum(item, where, errors);
            case "url":
                // The scheme must be written: on Unix .NET reads "/etc/passwd" as an absolute file URI.
                return static text => Uri.TryCreate(text, UriKind.Absolute, out var uri) && !text.Any(char.IsWhiteSpace) &&
                    text.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase)
                    ? null
                    : $"{Quote(text)} is not an absolute URL (scheme://…)";
            case "identifier":
                return text => parser.TryParse(text, out _, out var error) ? null : $"{Quote(text)} is not an identifier: {error.Message}";
            case "boolean":
                return static text => text is "true" or "false" ? null : $"{Quote(text)} is not a boolean (true or false)";
            default:
                errors.Add($"{where}: dataType {Quote(item.DataType)} is not one of {string.Join(", ", Names)}");
                return null;
        }
    }

    private static Func<string, string?>? Number(TemplateItem item, string where, List<string> errors)
    {
        if (item.Min > item.Max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{where}: min {item.Min} is above max {item.Max}"));
            return null;
        }

        if (item.Scale is < 0)
        {
            errors.Add($"{where}: scale {item.Scale} is negative");
            return null;
        }

        var (min, max, scale) = (item.Min, item.Max, item.Scale);
        return text =>
        {
            if (text.Count(char.IsAsciiDigit) > MaxDigits && text.All(c => char.IsAsciiDigit(c) || c is '-' or '.'))
            {
                return $"{Quote(text)} has more than {MaxDigits} digits, the most a number item holds exactly";
            }

            // Plain decimal notation only: digits, an optional leading '-' and one '.'; no exponent, grouping or spaces.
            if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) ||
                text.StartsWith('+') || text.StartsWith('.') || text.EndsWith('.'))
            {
                return $"{Quote(text)} is not a number (digits, an optional leading '-' and '.' for decimals, e.g. 12.5)";
            }

            if (number < min)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{text} is below the minimum {min}");
            }

            if (number > max)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{text} is above the maximum {max}");
            }

            var point = text.IndexOf('.', StringComparison.Ordinal);
            var decimals = point < 0 ? 0 : text.Length - point - 1;
            return decimals > scale ? $"{text} has {decimals} digits after the decimal point; at most {scale}" : null;
        };
    }

    private static Func<string, string?>? Date(TemplateItem item, string where, List<string> errors)
    {
        var withTime = item.DataType == "datetime";
        string[] formats = item.Format is { } given ? [FromIdHub(given)] : withTime ? IsoDateTimes : ["yyyy-MM-dd"];
        try
        {
            // A format that cannot write and read back a known instant is not a format.
            var probe = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
            var written = probe.ToString(formats[0], CultureInfo.InvariantCulture);
            if (!DateTimeOffset.TryParseExact(written, formats[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            {
                throw new FormatException();
            }
        }
        catch (FormatException)
        {
            errors.Add($"{where}: format {Quote(item.Format ?? "")} is not a date format (e.g. yyyy-MM-dd or yyyy-MM-dd'T'HH:mm:ssK)");
            return null;
        }

        var shown = item.Format ?? (withTime ? "ISO 8601, e.g. 2026-01-02T08:30:00+08:00" : "yyyy-MM-dd");
        return text => DateTimeOffset.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)
            ? null
            : $"{Quote(text)} is not a {item.DataType} in the format {shown}";
    }

    // IDHub writes date formats in upper case (YYYY-MM-DD); .NET's are yyyy and dd (D and Y mean nothing to it).
    private static string FromIdHub(string format) => format.Replace("YYYY", "yyyy", StringComparison.Ordinal).Replace("DD", "dd", StringComparison.Ordinal);

    private static Func<string, string?>? Enum(TemplateItem item, string where, List<string> errors)
    {
        if (item.Values is not { Count: > 0 } values)
        {
            errors.Add($"{where}: dataType enum needs values, the list of its members");
            return null;
        }

        var members = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (value is null)
            {
                errors.Add($"{where}: an enum value is null; values are strings");
                return null;
            }

            if (!members.Add(value))
            {
                errors.Add($"{where}: enum value {Quote(value)} is given twice");
                return null;
            }
        }

        var shown = string.Join(", ", values);
        return text => members.Contains(text) ? null : $"{Quote(text)} is not one of {shown}";
    }

    /// <summary>A value's text as an error message quotes it: in double quotes, at most 64 characters.</summary>
    public static string Quote(string? text) => text is null ? "null" : text.Length <= 64 ? $"\"{text}\"" : $"\"{text[..61]}...\"";
}
