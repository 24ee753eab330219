using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Resolver.Core.Identifiers;

/// <summary>
/// Parses identifiers and prefixes by the grammar of SPEC §2. Never throws on any input:
/// a string is either an <see cref="Identifier"/> or an <see cref="IdentifierError"/>
/// naming the rule broken and its 0-based code-point position.
/// </summary>
/// <remarks>
/// Order of checks: first the raw input (size cap, control and format characters, lone
/// surrogates; positions in the input), then NFC, then the grammar on the NFC form
/// (positions in the NFC form, which for a prefix is the same as the input).
/// </remarks>
public sealed class IdentifierParser(IdentifierSyntax syntax)
{
    /// <summary>A parser with the default syntax.</summary>
    public static IdentifierParser Default { get; } = new(IdentifierSyntax.Default);

    /// <summary>The settings this parser applies.</summary>
    public IdentifierSyntax Syntax { get; } = syntax;

    /// <summary>Parses a whole identifier.</summary>
    public bool TryParse(
        string? input,
        [NotNullWhen(true)] out Identifier? identifier,
        [NotNullWhen(false)] out IdentifierError? error)
    {
        identifier = null;
        if (string.IsNullOrEmpty(input))
        {
            error = new IdentifierError(IdentifierRules.Empty, -1, "the identifier is empty; expected prefix/suffix, e.g. 88.168.1/ABC-123");
            return false;
        }

        error = CheckCharacters(input);
        if (error is not null)
        {
            return false;
        }

        var text = input.IsNormalized(NormalizationForm.FormC) ? input : input.Normalize(NormalizationForm.FormC);
        var codePoints = CountCodePoints(text);
        if (codePoints > Syntax.MaxLength)
        {
            error = new IdentifierError(IdentifierRules.TooLong, Syntax.MaxLength, $"the identifier has {codePoints} code points; at most {Syntax.MaxLength} are allowed");
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            error = new IdentifierError(IdentifierRules.MissingSlash, codePoints, "no '/' between prefix and suffix; expected prefix/suffix, e.g. 88.168.1/ABC-123");
            return false;
        }

        error = CheckPrefix(text.AsSpan(0, slash));
        if (error is not null)
        {
            return false;
        }

        if (slash == text.Length - 1)
        {
            // The prefix is ASCII, so the slash's code-point position is its index.
            error = new IdentifierError(IdentifierRules.EmptySuffix, slash + 1, "nothing after '/'; the suffix is the enterprise's own code and may not be empty");
            return false;
        }

        identifier = new Identifier(text, slash, CanonicalKey(text, slash));
        return true;
    }

    /// <summary>Parses a prefix on its own, e.g. <c>88.168.1</c>, into its canonical (lower-case) form.</summary>
    public static bool TryParsePrefix(
        string? input,
        [NotNullWhen(true)] out string? prefix,
        [NotNullWhen(false)] out IdentifierError? error)
    {
        prefix = null;
        if (string.IsNullOrEmpty(input))
        {
            error = new IdentifierError(IdentifierRules.EmptyPrefix, -1, "the prefix is empty; expected dot-separated segments, e.g. 88.168.1");
            return false;
        }

        error = CheckPrefix(input.AsSpan());
        if (error is not null)
        {
            return false;
        }

        prefix = input.ToLowerInvariant();
        return true;
    }

    private static IdentifierError? CheckCharacters(string input)
    {
        // UTF-8 never takes fewer bytes than UTF-16 code units, so a long string is rejected
        // without scanning all of it (a 1 MiB identifier costs no more than a 2 KiB one).
        var bytes = 0;
        var position = 0;
        for (var i = 0; i < input.Length; position++)
        {
            if (Rune.DecodeFromUtf16(input.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return new IdentifierError(IdentifierRules.UnpairedSurrogate, position, $"U+{(int)input[i]:X4} is half of a UTF-16 surrogate pair, not a character");
            }

            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control:
                    return new IdentifierError(IdentifierRules.ControlCharacter, position, $"control character U+{rune.Value:X4} is not allowed");
                case UnicodeCategory.Format:
                    return new IdentifierError(IdentifierRules.FormatCharacter, position, $"invisible format character U+{rune.Value:X4} is not allowed");
            }

            bytes += rune.Utf8SequenceLength;
            if (bytes > IdentifierSyntax.MaxBytes)
            {
                return new IdentifierError(IdentifierRules.TooManyBytes, position, $"the identifier is longer than {IdentifierSyntax.MaxBytes} UTF-8 bytes");
            }

            i += consumed;
        }

        return null;
    }

    private static IdentifierError? CheckPrefix(ReadOnlySpan<char> prefix)
    {
        if (prefix.IsEmpty)
        {
            return new IdentifierError(IdentifierRules.EmptyPrefix, 0, "nothing before '/'; expected a prefix such as 88.168.1");
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            var c = prefix[i];
            if (c == '.')
            {
                if (i == 0)
                {
                    return new IdentifierError(IdentifierRules.LeadingDot, 0, "the prefix starts with '.'");
                }

                if (prefix[i - 1] == '.')
                {
                    return new IdentifierError(IdentifierRules.EmptySegment, i, "two dots in a row make an empty prefix segment");
                }

                if (i == prefix.Length - 1)
                {
                    return new IdentifierError(IdentifierRules.TrailingDot, i, "the prefix ends with '.'");
                }
            }
            else if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-')
            {
                // Everything before i is ASCII, so i is also the code-point position.
                var shown = char.IsSurrogate(c) || char.IsControl(c) ? $"U+{(int)c:X4}" : $"'{c}'";
                return new IdentifierError(IdentifierRules.InvalidPrefixCharacter, i, $"{shown} is not allowed in a prefix; segments use 0-9, A-Z, a-z, '_' and '-'");
            }

            if (i == IdentifierSyntax.MaxPrefixLength)
            {
                return new IdentifierError(IdentifierRules.PrefixTooLong, i, $"the prefix is longer than {IdentifierSyntax.MaxPrefixLength} characters");
            }
        }

        return null;
    }

    private string CanonicalKey(string text, int slash)
    {
        // Prefixes are ASCII and always case-insensitive; suffixes fold ASCII only (as Handle.Net)
        // so that non-ASCII characters keep their identity.
        return string.Create(text.Length, (text, slash, Syntax.CaseSensitiveSuffix), static (span, state) =>
        {
            var (source, slashIndex, caseSensitive) = state;
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = (i < slashIndex || !caseSensitive) && char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
            }
        });
    }

    private static int CountCodePoints(string text)
    {
        var count = 0;
        foreach (var c in text)
        {
            if (!char.IsLowSurrogate(c))
            {
                count++;
            }
        }

        return count;
    }
}
