using CsCheck;
using Resolver.Core.Identifiers;

namespace Resolver.Core.Tests;

/// <summary>Properties of the grammar over generated inputs (CsCheck prints the seed of any failure to replay it).</summary>
public sealed class IdentifierPropertyTests
{
    private const string SegmentCharacters = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-";

    // Characters that exercise every rule: separators, controls, format characters, surrogate halves, combining marks, non-ASCII letters.
    private static readonly Gen<char> Tricky = Gen.OneOf(
        Gen.Char,
        Gen.Char["./ aZ09_-"],
        Gen.Char["\u0000\n\u007F\u200B\u202E\uFEFF\uD800\uDBFF\uDC00\uDFFF\u0301\u00E9\u4EA7"]);

    private static readonly Gen<string> Segment = Gen.String[Gen.Char[SegmentCharacters], 1, 8];

    private static readonly Gen<string> Prefix = Segment.Array[1, 5].Select(segments => string.Join('.', segments)).Where(p => p.Length <= 64);

    // Any character that is not a control or format character, surrogate pairs included; may contain '/'.
    private static readonly Gen<string> Suffix = Gen.Int[0x20, 0x10FFFF]
        .Where(cp => cp is < 0xD800 or > 0xDFFF && System.Globalization.CharUnicodeInfo.GetUnicodeCategory(cp) is not (System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.OtherNotAssigned))
        .Select(char.ConvertFromUtf32)
        .Array[1, 40]
        .Select(string.Concat);

    private static readonly Gen<string> ValidIdentifier = Gen.Select(Prefix, Suffix, (prefix, suffix) => prefix + "/" + suffix);

    [Fact]
    public void TryParse_ArbitraryStrings_NeverThrows()
    {
        Gen.OneOf(Gen.String, Tricky.Array[0, 300].Select(chars => new string(chars)))
            .Sample(input =>
            {
                var parsed = IdentifierParser.Default.TryParse(input, out var identifier, out var error);
                Assert.True(parsed ? identifier is not null : error is not null && error.Rule.Length > 0);
            }, iter: 20_000);
    }

    [Fact]
    public void TryParse_GeneratedValidIdentifiers_AreAccepted()
    {
        ValidIdentifier.Sample(input =>
        {
            Assert.True(IdentifierParser.Default.TryParse(input, out _, out var error), $"{error?.Message} for {input}");
        }, iter: 5_000);
    }

    [Fact]
    public void ParseOfFormat_RoundTrips()
    {
        ValidIdentifier.Sample(input =>
        {
            Assert.True(IdentifierParser.Default.TryParse(input, out var first, out _));
            Assert.True(IdentifierParser.Default.TryParse(first.ToString(), out var second, out var error), error?.Message);
            Assert.Equal(first.Text, second.Text);
            Assert.Equal(first.Key, second.Key);
        }, iter: 5_000);
    }

    [Fact]
    public void CanonicalKey_IsAFixedPoint()
    {
        ValidIdentifier.Sample(input =>
        {
            Assert.True(IdentifierParser.Default.TryParse(input, out var identifier, out _));
            Assert.True(IdentifierParser.Default.TryParse(identifier.Key, out var canonical, out _));
            Assert.Equal(identifier.Key, canonical.Key);
        }, iter: 5_000);
    }

    [Fact]
    public void Key_IgnoresAsciiCaseOfTheWholeIdentifier()
    {
        ValidIdentifier.Sample(input =>
        {
            Assert.True(IdentifierParser.Default.TryParse(input, out var original, out _));
            var swapped = new string([.. input.Select(c => char.IsAsciiLetterLower(c) ? char.ToUpperInvariant(c) : char.IsAsciiLetterUpper(c) ? char.ToLowerInvariant(c) : c)]);
            Assert.True(IdentifierParser.Default.TryParse(swapped, out var other, out _));
            Assert.Equal(original.Key, other.Key);
        }, iter: 2_000);
    }
}
