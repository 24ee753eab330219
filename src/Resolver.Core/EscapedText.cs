using System.Globalization;
using System.Text;

namespace Resolver.Core;

/// <summary>
/// Client text made safe to echo in a message or store in a log: control and format characters and lone
/// surrogates are spelled out as \uXXXX, and long text is cut between code points with an ellipsis.
/// </summary>
public static class EscapedText
{
    public static string Of(string text, int maxLength)
    {
        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        for (var i = 0; i < text.Length; i++)
        {
            if (builder.Length >= maxLength)
            {
                return builder.Append('…').ToString();
            }

            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (char.IsSurrogate(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format)
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
