using System.Globalization;
using System.Text;

namespace Resolver.Cli.Output;

/// <summary>Makes text safe for one terminal line: control, format and separator characters and lone surrogates become \uXXXX; long text is cut.</summary>
internal static class Printable
{
    public static string Of(string text, int max = int.MaxValue)
    {
        var builder = new StringBuilder(Math.Min(text.Length, max) + 8);
        for (var i = 0; i < text.Length; i++)
        {
            if (builder.Length >= max)
            {
                return builder.Append('…').ToString();
            }

            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (char.IsSurrogate(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
