using Grpc.Core;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// Moving a secondary node's data over (issue 26, item 6): <c>resolver import --format snms</c> reads its registration shape,
/// declares each record's template from its templateVersion and <c>--template</c>, judges every record against it on the
/// node and reports bad lines by number while the rest are imported; <c>export --format snms</c> writes the shape back.
/// </summary>
public sealed class SnmsImportTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private string _directory = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168" }, cancellationToken: Ct);
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        await TemplateTests.PublishAsync(_server, TemplateTests.Version1);
        _directory = Directory.CreateTempSubdirectory("resolver-snms-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Import_GoodAndBadLines_ImportsTheGoodUnderTheirTemplateAndNamesEachBadLineAndRule()
    {
        var file = Write("""
            {"handle":"88.168.1/S-1","templateVersion":"1.0","value":[{"index":1001,"type":"TEMPLATE","data":{"format":"string","value":"1.0"},"auth":"1"},{"index":2001,"type":"manufacturer","data":{"format":"string","value":"Acme"},"auth":""},{"index":2003,"type":"produced","data":{"format":"string","value":"2026-01-02"}}]}
            {"handle":"88.168.1/S-2","templateVersion":"1","value":[{"index":2001,"type":"manufacturer","data":{"format":"string","value":"Acme"}},{"index":2002,"type":"weight","data":{"format":"string","value":"12,5kg"}},{"index":2003,"type":"produced","data":{"format":"string","value":"2026-01-02"}}]}
            {"handle":"88.168.1/S-3","templateVersion":"x","value":[]}
            not json
            {"handle":"88.168.1/S-5","templateVersion":"1","value":[{"index":2001,"type":"manufacturer","data":{"format":"hex","value":"41"}}]}
            """);

        var (exitCode, output, error) = await CliTests.RunAgainstAsync(_server, "-o", "json", "import", "--format", "snms", "--template", TemplateTests.Template, file);

        Assert.Equal(3, exitCode); // some records failed
        Assert.Contains("\"created\":1", output, StringComparison.Ordinal);
        Assert.Contains("\"failed\":4", output, StringComparison.Ordinal);
        Assert.Contains("item weight (index 2002): \\\"12,5kg\\\" is not a number", error, StringComparison.Ordinal);
        Assert.Contains("\"line\":2", error, StringComparison.Ordinal);
        Assert.Contains("templateVersion \\\"x\\\" is not a version number", error, StringComparison.Ordinal);
        Assert.Contains("not a record of the secondary node's shape", error, StringComparison.Ordinal);
        Assert.Contains("value 2001 has data format hex; only string is read", error, StringComparison.Ordinal);
        var imported = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/S-1" }, cancellationToken: Ct);
        // The secondary node's own TEMPLATE value ("1.0") gave way to the reference its templateVersion maps to.
        Assert.Equal(["1001 TEMPLATE 88.168/TPL.PART@1", "2001 manufacturer Acme", "2003 produced 2026-01-02"], imported.Values.Select(v => $"{v.Index} {v.Type} {v.Data.Text}"));
        var missing = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/S-2" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Import_WithoutAValueList_FailsTheLineInsteadOfEmptyingTheRecord()
    {
        await _server.Registry.CreateRecordAsync(new CreateRecordRequest { Identifier = "88.168.1/S-7", Values = { new Value { Type = "URL", Data = new ValueData { Text = "https://s7" } } } }, cancellationToken: Ct);
        var file = Write("""{"handle":"88.168.1/S-7","values":[{"index":1,"type":"URL","data":{"format":"string","value":"https://other"}}]}""");

        var (exitCode, _, error) = await CliTests.RunAgainstAsync(_server, "import", "--format", "snms", file);

        Assert.Equal(3, exitCode);
        Assert.Contains("line 1: INVALID_ARGUMENT: 88.168.1/S-7: the record has no value list", error, StringComparison.Ordinal);
        Assert.Equal("https://s7", (await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/S-7" }, cancellationToken: Ct)).Values.Single().Data.Text);
    }

    [Fact]
    public async Task Import_TemplateVersionWithoutTemplate_FailsTheLineSayingToGiveIt()
    {
        var file = Write("""{"handle":"88.168.1/S-6","templateVersion":"1","value":[{"index":2001,"type":"manufacturer","data":{"format":"string","value":"Acme"}}]}""");

        var (exitCode, _, error) = await CliTests.RunAgainstAsync(_server, "import", "--format", "snms", file);

        Assert.Equal(3, exitCode);
        Assert.Contains("line 1: INVALID_ARGUMENT: 88.168.1/S-6: templateVersion \"1\" names a template of the secondary node: give --template IDENTIFIER", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportThenImport_SnmsShape_RoundTripsWithItsTemplate()
    {
        // The weight is private: exported and imported again, it must stay so (and keep its TTL).
        var values = TemplateTests.Conforming().ToList();
        values[1].Permissions = new Permissions { AdminRead = true, AdminWrite = true };
        values[1].Ttl = 600;
        await _server.Registry.CreateRecordAsync(TemplateTests.Part("88.168.1/E-1", values), cancellationToken: Ct);

        var (exported, lines, _) = await CliTests.RunAgainstAsync(_server, "export", "88.168.1", "--format", "snms");
        await _server.Registry.DeleteRecordAsync(new DeleteRecordRequest { Identifier = "88.168.1/E-1" }, cancellationToken: Ct);
        var (imported, summary, error) = await CliTests.RunAgainstAsync(_server, "-o", "json", "import", "--format", "snms", "--reuse", Write(lines));

        Assert.Equal(0, exported);
        Assert.StartsWith("""{"handle":"88.168.1/E-1","templateVersion":"1","value":[{"index":1001,"type":"TEMPLATE","data":{"format":"string","value":"88.168/TPL.PART@1"},"auth":"1110","ttl":86400}""", lines, StringComparison.Ordinal);
        Assert.Contains("\"type\":\"weight\",\"data\":{\"format\":\"string\",\"value\":\"12.5\"},\"auth\":\"1100\",\"ttl\":600}", lines, StringComparison.Ordinal);
        Assert.True(imported == 0, error);
        Assert.Contains("\"created\":1", summary, StringComparison.Ordinal);
        var record = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/E-1" }, cancellationToken: Ct);
        Assert.Equal(TemplateTests.Conforming().Select(v => $"{v.Index} {v.Type} {v.Data.Text}").Prepend("1001 TEMPLATE 88.168/TPL.PART@1"), record.Values.Select(v => $"{v.Index} {v.Type} {v.Data.Text}"));
        var weight = record.Values.Single(v => v.Type == "weight");
        Assert.Equal((false, 600), (weight.Permissions.PublicRead, weight.Ttl));
    }

    private string Write(string lines)
    {
        var path = Path.Combine(_directory, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, lines);
        return path;
    }
}
