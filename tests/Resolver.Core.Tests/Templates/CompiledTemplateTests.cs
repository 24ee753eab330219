using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Records;
using Resolver.Core.Templates;

namespace Resolver.Core.Tests.Templates;

/// <summary>
/// The rules a compiled template applies to a record's values (docs/templates.md, "Data types" and "Records"), the ones the
/// server's TemplateTests do not reach: the other data types, repeatable items, extra items, reserved types, binary data.
/// </summary>
public sealed class CompiledTemplateTests
{
    private static readonly TemplateCompiler Compiler = new(IdentifierParser.Default);

    [Theory]
    [InlineData("datetime", null, "2026-01-02T08:30:00+08:00", null)]
    [InlineData("datetime", null, "2026-01-02T08:30:00.125Z", null)]
    [InlineData("datetime", null, "2026-01-02T08:30:00", "\"2026-01-02T08:30:00\" is not a datetime in the format ISO 8601, e.g. 2026-01-02T08:30:00+08:00")] // no offset: no instant
    [InlineData("url", null, "/etc/passwd", "\"/etc/passwd\" is not an absolute URL (scheme://…)")] // a file URI to .NET on Unix, not as written
    [InlineData("number", null, "1.000000000000000000000000000001", "\"1.000000000000000000000000000001\" has more than 28 digits, the most a number item holds exactly")]
    [InlineData("datetime", null, "2026-01-02 08:30", "\"2026-01-02 08:30\" is not a datetime in the format ISO 8601, e.g. 2026-01-02T08:30:00+08:00")]
    [InlineData("date", "YYYY-MM-DD", "2026-01-02", null)] // IDHub's spelling of yyyy-MM-dd
    [InlineData("date", "yyyyMMdd", "2026-01-02", "\"2026-01-02\" is not a date in the format yyyyMMdd")]
    [InlineData("date", null, "2026-02-30", "\"2026-02-30\" is not a date in the format yyyy-MM-dd")]
    [InlineData("url", null, "https://example.com/p/1", null)]
    [InlineData("url", null, "example.com/p/1", "\"example.com/p/1\" is not an absolute URL (scheme://…)")]
    [InlineData("boolean", null, "true", null)]
    [InlineData("boolean", null, "yes", "\"yes\" is not a boolean (true or false)")]
    [InlineData("number", null, "1e3", "\"1e3\" is not a number (digits, an optional leading '-' and '.' for decimals, e.g. 12.5)")]
    [InlineData("number", null, "+3", "\"+3\" is not a number (digits, an optional leading '-' and '.' for decimals, e.g. 12.5)")]
    [InlineData("number", null, "-0.5", null)]
    [InlineData("identifier", null, "88.168.1/LOT-7", null)]
    public void Check_DataType_ConformsOrNamesTheRule(string dataType, string? format, string text, string? rule)
    {
        var formatMember = format is null ? "" : $", \"format\": \"{format}\"";
        var template = Compile($$"""{"index": 2001, "code": "x", "dataType": "{{dataType}}"{{formatMember}}}""");

        var broken = template.Check([Value(2001, "x", text)]);

        Assert.Equal(rule is null ? [] : [$"item x (index 2001): {rule}"], broken);
    }

    [Fact]
    public void Check_LengthsCountCharactersNotBytes()
    {
        var template = Compile("""{"index": 2001, "code": "name", "dataType": "string", "minLength": 2, "maxLength": 3}""");

        Assert.Empty(template.Check([Value(2001, "name", "制造商")])); // 3 characters, 9 bytes of UTF-8
        Assert.Equal(["item name (index 2001): \"制\" has 1 characters; at least 2"], template.Check([Value(2001, "name", "制")]));
    }

    [Fact]
    public void Check_RepeatableItem_TakesFurtherIndexesNoOtherItemTakes()
    {
        var template = Compile("""
            {"index": 2001, "code": "photo", "dataType": "url", "repeatable": true},
            {"index": 2002, "code": "grade", "dataType": "string"}
            """);

        Assert.Empty(template.Check([Value(2001, "photo", "https://a"), Value(3000, "PHOTO", "https://b")]));
        Assert.Equal(["item photo: at index 2002, but its index is 2001"], template.Check([Value(2001, "photo", "https://a"), Value(2002, "photo", "https://b")]));
        Assert.Equal(["item grade (index 2003): given more than once, and it does not repeat"], template.Check([Value(2002, "grade", "A"), Value(2003, "grade", "B")]));
    }

    [Fact]
    public void Check_ExtraItemsReservedTypesAndBinaryData()
    {
        var strict = Compile("""{"index": 2001, "code": "x", "dataType": "string"}""");
        var lenient = Compile("""{"index": 2001, "code": "x", "dataType": "string"}""", allowExtraItems: true);
        HandleValue[] values = [Value(1, "URL", "https://a"), Value(100, "HS_ADMIN", "admin"), Value(1001, "TEMPLATE", "88.168/T@1"), Value(2001, "x", "ok")];

        Assert.Equal(["value 1 has type URL, which no item of the template names (and it allows no extra items)"], strict.Check(values));
        Assert.Empty(lenient.Check(values));
        Assert.Equal(["item x (index 2001): binary data, but the item is string text"],
            strict.Check([new HandleValue(2001, "x", ValueData.FromBytes([1, 2]), 60, DateTimeOffset.UnixEpoch, ValuePermissions.Default, [])]));
    }

    [Fact]
    public void Compile_AHostilePattern_RunsInLinearTime()
    {
        // (a+)+$ is the textbook catastrophic backtracking pattern; without backtracking it answers at once.
        var template = Compile("""{"index": 2001, "code": "x", "dataType": "string", "pattern": "(a+)+b"}""");

        Assert.Equal([$"item x (index 2001): \"{new string('a', 61)}...\" does not match the pattern (a+)+b"], template.Check([Value(2001, "x", new string('a', 5000))]));
    }

    [Theory]
    [InlineData("""{"identifier": "88.168/T", "version": 1, "items": [{"index": 2001, "code": "x", "dataType": "string", "requried": true}]}""", "not JSON of the template format (docs/templates.md): unknown member \"requried\" at $.items[0].requried")]
    [InlineData("""{"identifier": "88.168/T", "version": 0, "items": []}""", "version 0 is not 1 or more; items is empty")]
    [InlineData("""{"identifier": "no slash", "version": 1, "items": [{"index": 2001, "code": "TEMPLATE", "dataType": "string"}]}""", "identifier \"no slash\" is not an identifier")]
    [InlineData("""{"identifier": "88.168/T", "version": 1, "items": [{"index": 2001, "code": "x", "dataType": "enum", "values": ["A", "A"]}]}""", "item x: enum value \"A\" is given twice")]
    [InlineData("""{"identifier": "88.168/T", "version": 1, "items": [{"index": 2001, "code": "x", "dataType": "string", "min": 1}]}""", "item x: min, max and scale apply to dataType number only, not string")]
    [InlineData("""{"identifier": "88.168/T", "version": 1, "items": [{"index": 2001, "code": "x", "dataType": "date", "format": "%"}]}""", "item x: format \"%\" is not a date format")]
    [InlineData("""{"identifier": "88.168/T", "version": 1, "items": [{"index": 2001, "code": "x", "dataType": "enum", "values": [null, null]}]}""", "item x: an enum value is null")]
    [InlineData("""{"identifier": "88.168/T", "version": 1, "items": [{"index": 2001, "code": "x", "dataType": null}, null]}""", "item x: dataType null is not one of")]
    [InlineData("""{"identifier": null, "version": 1, "names": null, "items": null}""", "items is empty")]
    [InlineData("""{"identifier": "88.168/T", "version": 1, "items": [{"index": 2001, "code": "x", "dataType": "string", "pattern": "a)|(b"}]}""", "item x: pattern \"a)|(b\" does not compile")]
    public void Compile_AnInvalidDefinition_IsRefusedSayingWhy(string json, string why)
    {
        var refused = Assert.Throws<ResolverException>(() => Compiler.Compile(json));

        Assert.Equal((ErrorKind.InvalidArgument, TemplateReasons.Invalid), (refused.Problem.Kind, refused.Problem.Reason));
        Assert.Contains(why, refused.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_APatternLongerThanTheBound_IsRefused()
    {
        var pattern = new string('a', TemplateCompiler.MaxPatternLength + 1);

        var refused = Assert.Throws<ResolverException>(() => Compile($$"""{"index": 2001, "code": "x", "dataType": "string", "pattern": "{{pattern}}"}"""));

        Assert.Contains($"item x: pattern has {TemplateCompiler.MaxPatternLength + 1} characters; at most {TemplateCompiler.MaxPatternLength}", refused.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ManyBrokenRules_ListsTwentyAndCountsTheRest()
    {
        var template = Compile("""{"index": 2001, "code": "x", "dataType": "number", "repeatable": true}""");

        var broken = TemplateCompiler.Listed(template.Check([.. Enumerable.Range(0, 25).Select(i => Value(3000 + i, "x", "not a number"))]));

        Assert.Equal(20, broken.Split("; item x").Length);
        Assert.EndsWith("; and 5 more", broken, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadVersion_ReadsTheTopLevelVersionOnly()
    {
        Assert.Equal(3, TemplateCompiler.ReadVersion("""{"identifier": "88.168/T", "items": [{"version": 9}], "version": 3}"""));
        Assert.Null(TemplateCompiler.ReadVersion("""{"version": "3"}"""));
        Assert.Null(TemplateCompiler.ReadVersion("not json"));
    }

    [Fact]
    public void Write_ThenCompile_RoundTripsTheDefinition()
    {
        var template = Compile("""{"index": 2001, "code": "grade", "names": {"zh": "等级", "en": "Grade"}, "dataType": "enum", "values": ["A", "B"], "required": true}""");

        var again = Compiler.Compile(TemplateCompiler.Write(template.Definition));

        Assert.Equal(TemplateCompiler.Write(template.Definition), TemplateCompiler.Write(again.Definition));
        Assert.Equal("等级", again.ItemOf("GRADE")!.Names!.In("zh"));
        Assert.Equal(["A", "B"], again.ItemOf("grade")!.Values!);
    }

    private static CompiledTemplate Compile(string items, bool allowExtraItems = false) =>
        Compiler.Compile($$"""{"identifier": "88.168/TPL.T", "version": 1, "allowExtraItems": {{(allowExtraItems ? "true" : "false")}}, "items": [{{items}}]}""");

    private static HandleValue Value(int index, string type, string text) =>
        new(index, type, ValueData.FromText(text), 60, DateTimeOffset.UnixEpoch, ValuePermissions.Default, []);
}
