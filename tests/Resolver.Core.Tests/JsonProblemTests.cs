using System.Text.Json;
using Resolver.Core.Errors;
using Resolver.Core.Templates;

namespace Resolver.Core.Tests;

/// <summary>What a person is told when their JSON is refused: what and where, no .NET type names or reader advice.</summary>
public sealed class JsonProblemTests
{
    [Theory]
    [InlineData("{\"identifier\": \"88.168/T\", \"version\": 1,\n \"items\": [{\"index\": 2001, \"code\": \"a\", \"dataType\": \"string\", \"maxlength\": 4}]}", "unknown member \"maxlength\" at $.items[0].maxlength (line 2, byte ")]
    [InlineData("""{"identifier": "88.168/T", "version": "one"}""", "a value of the wrong kind (e.g. text where a number or an array is expected) at $.version (line 1, byte ")]
    [InlineData("""{"identifier": "88.168/T" "version": 1}""", "'\"' is invalid after a value. Expected either ',', '}', or ']'")]
    public void Describe_RefusedTemplateDefinition_SaysWhatAndWhere(string json, string expected)
    {
        var refused = Assert.Throws<ResolverException>(() => new TemplateCompiler(Resolver.Core.Identifiers.IdentifierParser.Default).Compile(json));

        Assert.StartsWith($"the template definition is not JSON of the template format (docs/templates.md): {expected}", refused.Problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".NET", refused.Problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("reader options", refused.Problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_MalformedDocument_KeepsTheReadersReasonWithoutItsAdvice()
    {
        var exception = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse("""[{"type": "URL",}]"""));

        Assert.Equal("The JSON object contains a trailing comma at the end which is not supported in this mode (line 1, byte 17)", JsonProblem.Describe(exception));
    }
}
