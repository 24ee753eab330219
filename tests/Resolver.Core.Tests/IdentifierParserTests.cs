using Resolver.Core.Identifiers;

namespace Resolver.Core.Tests;

public sealed class IdentifierParserTests
{
    private static readonly IdentifierParser Parser = IdentifierParser.Default;

    [Theory]
    [InlineData("88.168.1/ABC-123", "88.168.1/abc-123", "88.168.1", "ABC-123")]
    [InlineData("88.118.8/JXDY2106023", "88.118.8/jxdy2106023", "88.118.8", "JXDY2106023")]
    [InlineData("88/x", "88/x", "88", "x")]
    [InlineData("88.A_b-C.1/x", "88.a_b-c.1/x", "88.a_b-c.1", "x")]
    [InlineData("88.168.1/a/b/c", "88.168.1/a/b/c", "88.168.1", "a/b/c")]
    [InlineData("88.168.1/ with spaces ", "88.168.1/ with spaces ", "88.168.1", " with spaces ")]
    [InlineData("88.168.1/产品-ÄÖ", "88.168.1/产品-ÄÖ", "88.168.1", "产品-ÄÖ")]
    [InlineData("88.168.1/a:b=c?d#e%f", "88.168.1/a:b=c?d#e%f", "88.168.1", "a:b=c?d#e%f")]
    [InlineData("88.168.1//", "88.168.1//", "88.168.1", "/")]
    [InlineData("88.168.1/😀", "88.168.1/😀", "88.168.1", "😀")]
    public void TryParse_ValidIdentifier_GivesCanonicalKeyPrefixAndSuffix(string input, string key, string prefix, string suffix)
    {
        Assert.True(Parser.TryParse(input, out var identifier, out var error), error?.Message);
        Assert.Equal(key, identifier.Key);
        Assert.Equal(prefix, identifier.Prefix);
        Assert.Equal(suffix, identifier.Suffix);
        Assert.Equal(input, identifier.Text);
    }

    [Theory]
    [InlineData("", IdentifierRules.Empty, -1)]
    [InlineData("88.168.1", IdentifierRules.MissingSlash, 8)]
    [InlineData("/abc", IdentifierRules.EmptyPrefix, 0)]
    [InlineData("88.168.1/", IdentifierRules.EmptySuffix, 9)]
    [InlineData(".88/x", IdentifierRules.LeadingDot, 0)]
    [InlineData("88./x", IdentifierRules.TrailingDot, 2)]
    [InlineData("88..1/x", IdentifierRules.EmptySegment, 3)]
    [InlineData("88.1 6/x", IdentifierRules.InvalidPrefixCharacter, 4)]
    [InlineData("88.16é/x", IdentifierRules.InvalidPrefixCharacter, 5)]
    [InlineData(" 88/x", IdentifierRules.InvalidPrefixCharacter, 0)]
    [InlineData("88.168.1/a\u0000b", IdentifierRules.ControlCharacter, 10)]
    [InlineData("88.168.1/a\nb", IdentifierRules.ControlCharacter, 10)]
    [InlineData("88.168.1/a\u007Fb", IdentifierRules.ControlCharacter, 10)]
    [InlineData("88.168.1/a\u200Bb", IdentifierRules.FormatCharacter, 10)]
    [InlineData("88.168.1/\u202Eabc", IdentifierRules.FormatCharacter, 9)]
    [InlineData("\uFEFF88.168.1/abc", IdentifierRules.FormatCharacter, 0)]
    public void TryParse_InvalidIdentifier_NamesRuleAndPosition(string input, string rule, int position)
    {
        Assert.False(Parser.TryParse(input, out _, out var error));
        Assert.Equal(rule, error.Rule);
        Assert.Equal(position, error.Position);
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_UnpairedSurrogate_NamesRuleAndCodePointPosition()
    {
        // Built at run time: attribute arguments cannot carry lone surrogates.
        (string Input, int Position)[] cases =
        [
            ("88.168.1/a" + (char)0xD800 + "b", 10),
            ("88.168.1/ab" + (char)0xDC00, 11),
            ("88.168.1/😀" + (char)0xD800, 10),
            ((char)0xDBFF + "88/x", 0),
        ];
        foreach (var (input, position) in cases)
        {
            Assert.False(Parser.TryParse(input, out _, out var error));
            Assert.Equal(IdentifierRules.UnpairedSurrogate, error.Rule);
            Assert.Equal(position, error.Position);
        }
    }

    [Fact]
    public void TryParse_Null_IsEmptyRule()
    {
        Assert.False(Parser.TryParse(null, out _, out var error));
        Assert.Equal(IdentifierRules.Empty, error.Rule);
    }

    [Fact]
    public void TryParse_PrefixOf64Characters_IsAcceptedAnd65IsNot()
    {
        var prefix64 = "88." + new string('1', 61);
        Assert.True(Parser.TryParse(prefix64 + "/x", out _, out _));

        Assert.False(Parser.TryParse(prefix64 + "1/x", out _, out var error));
        Assert.Equal(IdentifierRules.PrefixTooLong, error.Rule);
        Assert.Equal(64, error.Position);
    }

    [Fact]
    public void TryParse_255CodePointsAfterNfc_IsAcceptedAnd256IsNot()
    {
        var at255 = "88/" + new string('a', 252);
        Assert.True(Parser.TryParse(at255, out _, out _));

        Assert.False(Parser.TryParse(at255 + "a", out _, out var error));
        Assert.Equal(IdentifierRules.TooLong, error.Rule);
        Assert.Equal(255, error.Position);
    }

    [Fact]
    public void TryParse_LengthCountsCodePointsNotUtf16Units()
    {
        // 252 emoji are 504 UTF-16 units but 252 code points (1,008 UTF-8 bytes, under the byte cap).
        var emoji = string.Concat(Enumerable.Repeat("😀", 252));
        Assert.True(Parser.TryParse("88/" + emoji, out _, out var error), error?.Message);
    }

    [Fact]
    public void TryParse_LengthIsMeasuredAfterNfc()
    {
        // "e" + combining acute is two code points before NFC and one ("é") after.
        var decomposed = string.Concat(Enumerable.Repeat("e\u0301", 252));
        Assert.True(Parser.TryParse("88/" + decomposed, out var identifier, out var error), error?.Message);
        Assert.Equal(255, identifier.Text.Length);
    }

    [Fact]
    public void TryParse_ConfiguredLength_IsEnforced()
    {
        var parser = new IdentifierParser(new IdentifierSyntax { MaxLength = 10 });
        Assert.True(parser.TryParse("88/1234567", out _, out _));
        Assert.False(parser.TryParse("88/12345678", out _, out var error));
        Assert.Equal(IdentifierRules.TooLong, error.Rule);
    }

    [Fact]
    public void TryParse_MoreThan2048Utf8Bytes_IsRejectedEvenWhenTheLengthLimitIsHigher()
    {
        var parser = new IdentifierParser(new IdentifierSyntax { MaxLength = IdentifierSyntax.MaxBytes });

        // 3-byte characters: 682 of them after "88/" make 2,049 bytes in 685 code points.
        var input = "88/" + new string('产', 682);
        Assert.False(parser.TryParse(input, out _, out var error));
        Assert.Equal(IdentifierRules.TooManyBytes, error.Rule);
        Assert.Equal(684, error.Position);
    }

    [Fact]
    public void TryParse_OneMebibyteIdentifier_IsRejectedByTheByteCap()
    {
        Assert.False(Parser.TryParse("88/" + new string('x', 1 << 20), out _, out var error));
        Assert.Equal(IdentifierRules.TooManyBytes, error.Rule);
    }

    [Fact]
    public void TryParse_NfcAndNfdSpellings_HaveTheSameKey()
    {
        Assert.True(Parser.TryParse("88/caf\u00E9", out var composed, out _));
        Assert.True(Parser.TryParse("88/cafe\u0301", out var decomposed, out _));
        Assert.Equal(composed.Key, decomposed.Key);
        Assert.Equal(composed, decomposed);
    }

    [Fact]
    public void TryParse_DefaultSyntax_FoldsAsciiCaseOnlyInTheSuffix()
    {
        Assert.True(Parser.TryParse("88.ABC/Äb", out var identifier, out _));
        Assert.Equal("88.abc/Äb", identifier.Key);
        Assert.Equal("88.ABC/Äb", identifier.Text);
    }

    [Fact]
    public void TryParse_CaseSensitiveSuffix_KeepsSuffixCaseButFoldsPrefix()
    {
        var parser = new IdentifierParser(new IdentifierSyntax { CaseSensitiveSuffix = true });
        Assert.True(parser.TryParse("88.ABC/AbC", out var identifier, out _));
        Assert.Equal("88.abc/AbC", identifier.Key);
        Assert.True(parser.TryParse("88.abc/abc", out var lower, out _));
        Assert.NotEqual(identifier, lower);
    }

    [Theory]
    [InlineData("88.168.1", "88.168.1")]
    [InlineData("88.ABC", "88.abc")]
    public void TryParsePrefix_Valid_GivesCanonicalForm(string input, string canonical)
    {
        Assert.True(IdentifierParser.TryParsePrefix(input, out var prefix, out _));
        Assert.Equal(canonical, prefix);
    }

    [Theory]
    [InlineData("", IdentifierRules.EmptyPrefix)]
    [InlineData("88.", IdentifierRules.TrailingDot)]
    [InlineData("88/1", IdentifierRules.InvalidPrefixCharacter)]
    [InlineData("88..1", IdentifierRules.EmptySegment)]
    public void TryParsePrefix_Invalid_NamesRule(string input, string rule)
    {
        Assert.False(IdentifierParser.TryParsePrefix(input, out _, out var error));
        Assert.Equal(rule, error.Rule);
    }

    [Fact]
    public void ToProblem_QuotesInputWithoutControlCharactersOrMegabytes()
    {
        var input = "88/a\u0000" + new string('x', 5000);
        Assert.False(Parser.TryParse(input, out _, out var error));
        var problem = error.ToProblem("identifier", input);
        Assert.DoesNotContain('\u0000', problem.Message);
        Assert.Contains("\\u0000", problem.Message, StringComparison.Ordinal);
        Assert.True(problem.Message.Length < 400, problem.Message);
    }
}
