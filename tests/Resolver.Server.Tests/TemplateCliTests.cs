using System.Text.Json;
using Resolver.Core.Identifiers;
using Resolver.Core.Templates;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// <c>resolver template …</c> and <c>register --template</c> against a real server (issue 26, docs/templates.md): the admin
/// homes the industry prefix 88.168, where the template is published, and 88.168.1, where records declare it.
/// </summary>
public sealed class TemplateCliTests : IAsyncLifetime
{
    private const string Template = "88.168/TPL.PART";
    private TestServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        Assert.Equal(0, (await RunAsync("prefix", "home", "88.168")).ExitCode);
        Assert.Equal(0, (await RunAsync("prefix", "home", "88.168.1")).ExitCode);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static string ExampleFile => Path.Combine(Repository.Root(), "docs", "examples", "part-template.json");

    private Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args) => CliTests.RunAgainstAsync(_server, args);

    // A copy of the example file, changed by `change`, in the test's data directory.
    private async Task<string> WriteTemplateAsync(string name, Func<string, string> change)
    {
        var path = Path.Combine(_server.DataDir, name);
        await File.WriteAllTextAsync(path, change(await File.ReadAllTextAsync(ExampleFile, TestContext.Current.CancellationToken)), TestContext.Current.CancellationToken);
        return path;
    }

    private static JsonElement Json(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    private static JsonElement ValueAt(JsonElement record, int index) =>
        record.GetProperty("values").EnumerateArray().Single(v => v.GetProperty("index").GetInt32() == index);

    [Fact]
    public void ExampleFile_Compiles()
    {
        var compiled = new TemplateCompiler(IdentifierParser.Default).Compile(File.ReadAllText(ExampleFile));

        Assert.Equal(Template, compiled.Definition.Identifier);
        Assert.Equal(["manufacturer", "weight", "produced", "grade", "lot"], compiled.Definition.Items.Select(i => i.Code));
    }

    [Fact]
    public async Task Publish_NewTemplate_ExitsZeroAndPrintsIdentifierAndVersion()
    {
        var table = await RunAsync("template", "publish", ExampleFile);
        var json = await RunAsync("-o", "json", "template", "publish", ExampleFile);

        Assert.True(table.ExitCode == 0, table.Error);
        Assert.Equal($"published {Template} version 1", table.Out.Trim());
        Assert.Equal(0, json.ExitCode);
        var answer = Json(json.Out);
        Assert.Equal(Template, answer.GetProperty("identifier").GetString());
        Assert.Equal(1, answer.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Publish_SameVersionAgain_ExitsZeroAndLeavesTheRecordUnchanged()
    {
        await RunAsync("template", "publish", ExampleFile);
        var before = Json((await RunAsync("-o", "json", "resolve", Template)).Out).GetProperty("record").GetProperty("version").GetString();
        var respaced = await WriteTemplateAsync("respaced.json", text => text.Replace("\n", "\n\n  ", StringComparison.Ordinal));

        var again = await RunAsync("-o", "json", "template", "publish", respaced);

        Assert.True(again.ExitCode == 0, again.Error);
        Assert.True(Json(again.Out).GetProperty("unchanged").GetBoolean());
        var after = Json((await RunAsync("-o", "json", "resolve", Template)).Out).GetProperty("record");
        Assert.Equal(before, after.GetProperty("version").GetString());
        Assert.Single(after.GetProperty("values").EnumerateArray(), v => v.GetProperty("type").GetString() == TemplateTypes.Definition);
    }

    [Fact]
    public async Task Publish_ChangedPublishedVersion_IsRefusedAsImmutable()
    {
        await RunAsync("template", "publish", ExampleFile);
        var changed = await WriteTemplateAsync("changed.json", text => text.Replace("\"maxLength\": 64", "\"maxLength\": 32", StringComparison.Ordinal));

        var (exitCode, output, error) = await RunAsync("-o", "json", "template", "publish", changed);

        Assert.NotEqual(0, exitCode);
        Assert.Empty(output);
        var problem = Json(error).GetProperty("error");
        Assert.Equal(TemplateReasons.Immutable, problem.GetProperty("reason").GetString());
        Assert.Contains("version 1 is published and cannot change", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_NewVersion_AddsItAndKeepsTheFirst()
    {
        await RunAsync("template", "publish", ExampleFile);
        var second = await WriteTemplateAsync("v2.json", text => text.Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal).Replace("\"maxLength\": 64", "\"maxLength\": 128", StringComparison.Ordinal));

        var publish = await RunAsync("template", "publish", second);
        var first = await RunAsync("-o", "json", "template", "show", Template, "--version", "1");
        var latest = await RunAsync("-o", "json", "template", "show", Template);

        Assert.True(publish.ExitCode == 0, publish.Error);
        Assert.Equal($"published {Template} version 2", publish.Out.Trim());
        Assert.Equal(64, Json(first.Out).GetProperty("items")[0].GetProperty("maxLength").GetInt32());
        Assert.Equal(2, Json(latest.Out).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Publish_InvalidDefinition_ExitsOneListingTheProblemsWithoutWriting()
    {
        var broken = await WriteTemplateAsync("broken.json", text => text.Replace("\"index\": 2002", "\"index\": 12", StringComparison.Ordinal).Replace("\"dataType\": \"identifier\"", "\"dataType\": \"reference\"", StringComparison.Ordinal));

        var (exitCode, _, error) = await RunAsync("-o", "json", "template", "publish", broken);
        var resolve = await RunAsync("resolve", Template);

        Assert.Equal(1, exitCode);
        var problem = Json(error).GetProperty("error");
        Assert.Equal(TemplateReasons.Invalid, problem.GetProperty("reason").GetString());
        Assert.Contains("item weight: index 12 is below 2001", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("item lot: dataType \"reference\"", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, resolve.ExitCode);
    }

    [Fact]
    public async Task Show_Json_PrintsTheDefinitionOfTheFile()
    {
        await RunAsync("template", "publish", ExampleFile);

        var (exitCode, output, error) = await RunAsync("-o", "json", "template", "show", Template);

        Assert.True(exitCode == 0, error);
        var compiler = new TemplateCompiler(IdentifierParser.Default);
        var file = compiler.Compile(await File.ReadAllTextAsync(ExampleFile, TestContext.Current.CancellationToken)).Definition;
        var shown = compiler.Compile(output.Trim()).Definition;
        Assert.Equal(TemplateCompiler.Write(file), TemplateCompiler.Write(shown));
        Assert.Equal("零部件", Json(output).GetProperty("names").GetProperty("zh").GetString());
    }

    [Fact]
    public async Task Show_Table_NamesItemsInTheLanguageAsked()
    {
        await RunAsync("template", "publish", ExampleFile);

        var english = await RunAsync("template", "show", Template);
        var chinese = await RunAsync("template", "show", Template, "--lang", "zh");

        Assert.Equal(0, english.ExitCode);
        Assert.Contains("Production date", english.Out, StringComparison.Ordinal);
        Assert.Contains("one of A | B | C", english.Out, StringComparison.Ordinal);
        Assert.Contains("生产日期", chinese.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Missing_ExitsTwo()
    {
        var missing = await RunAsync("template", "show", "88.168/TPL.NONE");
        await RunAsync("template", "publish", ExampleFile);
        var noSuchVersion = await RunAsync("template", "show", Template, "--version", "7");

        Assert.Equal(2, missing.ExitCode);
        Assert.Equal(2, noSuchVersion.ExitCode);
        Assert.Contains("its versions: 1", noSuchVersion.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_WithTemplate_PutsValuesAtTheirItemsIndexesAndDeclaresTheTemplateAt1001()
    {
        await RunAsync("template", "publish", ExampleFile);

        var (exitCode, output, error) = await RunAsync("-o", "json", "register", "88.168.1/PART-1", "--template", Template,
            "--value", "Manufacturer=ACME", "--value", "produced=2026-01-02", "--value", "weight=12.5", "--value", "URL.x=https://acme.example/1");

        // URL.x is no item of the template, which allows no extra items: the server refuses the record, naming the value.
        Assert.Equal(1, exitCode);
        Assert.Contains("URL.x", error, StringComparison.Ordinal);
        Assert.Empty(output);

        (exitCode, output, error) = await RunAsync("-o", "json", "register", "88.168.1/PART-1", "--template", Template,
            "--value", "Manufacturer=ACME", "--value", "produced=2026-01-02", "--value", "weight=12.5");

        Assert.True(exitCode == 0, error);
        var record = Json(output);
        Assert.Equal($"{Template}@1", record.GetProperty("template").GetString());
        Assert.Equal($"{Template}@1", ValueAt(record, TemplateTypes.ReferenceIndex).GetProperty("data").GetProperty("text").GetString());
        Assert.Equal(TemplateTypes.Reference, ValueAt(record, TemplateTypes.ReferenceIndex).GetProperty("type").GetString());
        Assert.Equal(("manufacturer", "ACME"), (ValueAt(record, 2001).GetProperty("type").GetString(), ValueAt(record, 2001).GetProperty("data").GetProperty("text").GetString()));
        Assert.Equal("12.5", ValueAt(record, 2002).GetProperty("data").GetProperty("text").GetString());
        Assert.Equal("2026-01-02", ValueAt(record, 2003).GetProperty("data").GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("weight=12,5kg", "item weight (index 2002): \"12,5kg\" is not a number")]
    [InlineData("grade=D", "item grade (index 2004): \"D\" is not one of A, B, C")]
    [InlineData("lot=88..1/x", "item lot (index 2005): \"88..1/x\" is not an identifier")]
    public async Task Register_WithTemplate_NonConformingValue_ExitsOneNamingItemAndRule(string value, string rule)
    {
        await RunAsync("template", "publish", ExampleFile);

        var (exitCode, output, error) = await RunAsync("register", "88.168.1/PART-BAD", "--template", Template,
            "--value", "manufacturer=ACME", "--value", "produced=2026-01-02", "--value", value);

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.StartsWith("INVALID_ARGUMENT: ", error, StringComparison.Ordinal);
        Assert.Contains(rule, error, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync("resolve", "88.168.1/PART-BAD")).ExitCode);
    }

    [Fact]
    public async Task Register_WithTemplate_MissingRequiredItem_ExitsOneNamingIt()
    {
        await RunAsync("template", "publish", ExampleFile);

        var (exitCode, _, error) = await RunAsync("register", "88.168.1/PART-2", "--template", $"{Template}@1", "--value", "manufacturer=ACME");

        Assert.Equal(1, exitCode);
        Assert.Contains("item produced (index 2003) is required and missing", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_WithUnpublishedVersion_FailsWithoutWriting()
    {
        await RunAsync("template", "publish", ExampleFile);

        var (exitCode, _, error) = await RunAsync("-o", "json", "register", "88.168.1/PART-3", "--template", $"{Template}@9", "--value", "manufacturer=ACME");

        Assert.Equal(3, exitCode);
        Assert.Equal(TemplateReasons.NotFound, Json(error).GetProperty("error").GetProperty("reason").GetString());
        Assert.Equal(2, (await RunAsync("resolve", "88.168.1/PART-3")).ExitCode);
    }

    [Fact]
    public async Task Register_WithATemplateNeverPublished_ExitsThreeAsTheServerWouldRefuseIt()
    {
        var (exitCode, _, error) = await RunAsync("-o", "json", "register", "88.168.1/PART-4", "--template", "88.168/TPL.NOPE", "--value", "manufacturer=ACME");

        Assert.Equal(3, exitCode);
        var problem = Json(error).GetProperty("error");
        Assert.Equal(TemplateReasons.NotFound, problem.GetProperty("reason").GetString());
        Assert.StartsWith("template 88.168/TPL.NOPE is not published here or at its site: ", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync("resolve", "88.168.1/PART-4")).ExitCode);
    }

    // The example template with its manufacturer item private.
    private async Task PublishWithPrivateManufacturerAsync()
    {
        var file = await WriteTemplateAsync("private.json", text => text.Replace("\"maxLength\": 64", "\"maxLength\": 64, \"private\": true", StringComparison.Ordinal));
        Assert.Equal(0, (await RunAsync("template", "publish", file)).ExitCode);
    }

    [Fact]
    public async Task Register_WithTemplate_PrivateItem_ValueIsWrittenPrivate()
    {
        await PublishWithPrivateManufacturerAsync();

        var (exitCode, output, error) = await RunAsync("-o", "json", "register", "88.168.1/PART-7", "--template", Template, "--value", "manufacturer=ACME", "--value", "produced=2026-01-02");

        Assert.True(exitCode == 0, error);
        var record = Json(output);
        Assert.False(ValueAt(record, 2001).GetProperty("permissions").TryGetProperty("publicRead", out _));
        Assert.True(ValueAt(record, 2003).GetProperty("permissions").GetProperty("publicRead").GetBoolean());
    }

    [Fact]
    public async Task Register_WithTemplate_PrivateItemGivenAsPublicValue_IsWrittenPublic()
    {
        await PublishWithPrivateManufacturerAsync();

        var (exitCode, output, error) = await RunAsync("-o", "json", "register", "88.168.1/PART-8", "--template", Template, "--public-value", "manufacturer=ACME", "--value", "produced=2026-01-02");

        Assert.True(exitCode == 0, error);
        var manufacturer = ValueAt(Json(output), 2001);
        Assert.Equal("manufacturer", manufacturer.GetProperty("type").GetString()); // placed at its item's index like --value
        Assert.True(manufacturer.GetProperty("permissions").GetProperty("publicRead").GetBoolean());
    }

    [Fact]
    public async Task Resolve_RecordWithTemplate_JsonNamesTheTemplateAndTablesNameTheItems()
    {
        await RunAsync("template", "publish", ExampleFile);
        await RunAsync("register", "88.168.1/PART-4", "--template", Template, "--value", "manufacturer=ACME", "--value", "produced=2026-01-02");
        await RunAsync("register", "88.168.1/PLAIN", "--value", "URL=https://example.com");

        var json = await RunAsync("-o", "json", "resolve", "88.168.1/PART-4", "88.168.1/PLAIN");
        var table = await RunAsync("resolve", "88.168.1/PART-4", "--lang", "zh");

        Assert.Equal(0, json.ExitCode);
        var lines = json.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Json).ToList();
        Assert.Equal($"{Template}@1", lines[0].GetProperty("template").GetString());
        Assert.Equal("88.168.1/PART-4", lines[0].GetProperty("identifier").GetString());
        Assert.False(lines[1].TryGetProperty("template", out _));
        Assert.True(table.ExitCode == 0, table.Error);
        Assert.Contains("manufacturer (制造商)", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_WithTemplate_MovesTheRecordToAnotherVersion()
    {
        await RunAsync("template", "publish", ExampleFile);
        await RunAsync("register", "88.168.1/PART-5", "--template", Template, "--value", "manufacturer=ACME", "--value", "produced=2026-01-02");
        var second = await WriteTemplateAsync("v2.json", text => text.Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal));
        await RunAsync("template", "publish", second);

        var (exitCode, output, error) = await RunAsync("-o", "json", "update", "88.168.1/PART-5", "--template", $"{Template}@2", "--value", "grade=B");

        Assert.True(exitCode == 0, error);
        var record = Json(output);
        Assert.Equal($"{Template}@2", record.GetProperty("template").GetString());
        Assert.Single(record.GetProperty("values").EnumerateArray(), v => v.GetProperty("type").GetString() == TemplateTypes.Reference);
        Assert.Equal("B", ValueAt(record, 2004).GetProperty("data").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Deprecate_Version_NewRecordsRefusedAndListShowsIt()
    {
        await RunAsync("template", "publish", ExampleFile);

        var deprecate = await RunAsync("template", "deprecate", Template, "--version", "1");
        var again = await RunAsync("template", "deprecate", Template, "--version", "1");
        var register = await RunAsync("-o", "json", "register", "88.168.1/PART-6", "--template", Template, "--value", "manufacturer=ACME", "--value", "produced=2026-01-02");
        var list = await RunAsync("-o", "json", "template", "list");

        Assert.True(deprecate.ExitCode == 0, deprecate.Error);
        Assert.Equal($"deprecated {Template} version 1", deprecate.Out.Trim());
        Assert.Equal(0, again.ExitCode);
        Assert.StartsWith("unchanged", again.Out, StringComparison.Ordinal);
        Assert.NotEqual(0, register.ExitCode);
        Assert.Equal(TemplateReasons.Deprecated, Json(register.Error).GetProperty("error").GetProperty("reason").GetString());
        var summary = Json(Assert.Single(list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal(Template, summary.GetProperty("identifier").GetString());
        Assert.Equal(1, summary.GetProperty("latestVersion").GetInt32());
        Assert.Equal([1], summary.GetProperty("deprecatedVersions").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Fact]
    public async Task List_Prefix_ShowsOnlyTemplates()
    {
        await RunAsync("template", "publish", ExampleFile);
        await RunAsync("register", "88.168/NOT-A-TEMPLATE", "--value", "URL=https://example.com");

        var (exitCode, output, error) = await RunAsync("template", "list", "--prefix", "88.168", "--lang", "zh");
        var empty = await RunAsync("template", "list", "--prefix", "88.168.1");

        Assert.True(exitCode == 0, error);
        Assert.Contains(Template, output, StringComparison.Ordinal);
        Assert.Contains("零部件", output, StringComparison.Ordinal);
        Assert.DoesNotContain("NOT-A-TEMPLATE", output, StringComparison.Ordinal);
        Assert.Equal("no templates under 88.168.1", empty.Out.Trim());
    }

    [Fact]
    public void Docs_NameEveryReasonAndEveryCommand()
    {
        var docs = Repository.Read("docs", "templates.md");
        var cli = Repository.Read("docs", "cli.md");

        foreach (var reason in new[] { TemplateReasons.Violation, TemplateReasons.Invalid, TemplateReasons.NotFound, TemplateReasons.Immutable, TemplateReasons.Deprecated })
        {
            Assert.Contains($"`{reason}`", docs, StringComparison.Ordinal);
        }

        foreach (var command in new[] { "template publish FILE", "template show ID", "template list", "template deprecate ID", "--template" })
        {
            Assert.Contains(command, docs, StringComparison.Ordinal);
            Assert.Contains(command, cli, StringComparison.Ordinal);
        }
    }
}
