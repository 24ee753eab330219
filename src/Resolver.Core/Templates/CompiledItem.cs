using System.Text.RegularExpressions;

namespace Resolver.Core.Templates;

/// <summary>An item's rules made ready once per template version: the data type's check and the pattern's automaton.</summary>
internal sealed class CompiledItem(TemplateItem item, Func<string, string?> dataType, Regex? pattern)
{
    public TemplateItem Item => item;

    /// <summary>Null when <paramref name="text"/> conforms; otherwise the first rule it breaks, for a person.</summary>
    public string? Check(string text)
    {
        if (item.MinLength is { } minLength || item.MaxLength is not null)
        {
            var length = text.EnumerateRunes().Count();
            if (length < item.MinLength)
            {
                return $"{ItemDataTypes.Quote(text)} has {length} characters; at least {item.MinLength}";
            }

            if (length > item.MaxLength)
            {
                return $"{ItemDataTypes.Quote(text)} has {length} characters; at most {item.MaxLength}";
            }
        }

        if (dataType(text) is { } broken)
        {
            return broken;
        }

        try
        {
            return pattern is null || pattern.IsMatch(text) ? null : $"{ItemDataTypes.Quote(text)} does not match the pattern {item.Pattern}";
        }
        catch (RegexMatchTimeoutException)
        {
            return $"{ItemDataTypes.Quote(text)} took too long to match the pattern {item.Pattern}";
        }
    }
}
