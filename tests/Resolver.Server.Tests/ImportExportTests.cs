using System.Text;
using System.Text.Json;
using Grpc.Core;
using Resolver.Cli;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary><c>resolver import</c> and <c>resolver export</c> against real servers, in-process with captured output.</summary>
public sealed class ImportExportTests : IAsyncLifetime
{
    private readonly List<string> _files = [];
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }

    private static async Task<(int ExitCode, string Out, string Error)> RunAsync(TestServer server, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await ResolverCli.RunAsync(["--server", server.GrpcAddress, "--token", TestServer.AdminToken, .. args], output, error, Ct);
        return (exitCode, output.ToString(), error.ToString());
    }

    private string TempFile(string extension, byte[] content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"resolver-import-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(path, content);
        _files.Add(path);
        return path;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static JsonElement Summary(string output) => JsonDocument.Parse(Assert.Single(Lines(output))).RootElement;

    [Fact]
    public async Task Import_CsvWithBomCrlfQuotesNewlinesAndBadLines_ImportsTheRestAndReportsEachBadLineByNumber()
    {
        var csv =
            "identifier,index,type,data,ttl,permissions\r\n" +                            // line 1
            "88.168.1/A,1,URL,https://a,,\r\n" +                                           // line 2
            "88.168.1/A,2,note,\"commas, \"\"quotes\"\" and\r\na newline\",60,1100\r\n" +  // lines 3-4
            "88.168.1/B,x,URL,https://b,,\r\n" +                                           // line 5: bad index
            "88.168.1/C,1,URL\r\n" +                                                       // line 6: too few fields
            "88.168.1/D,1,HS_ADMIN,x,,\r\n" +                                              // line 7: refused by the server
            "88.168.1/E,,URL,https://e,,\r\n" +                                            // line 8
            "\r\n\r\n";
        var path = TempFile(".csv", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv)]);

        var (exitCode, output, error) = await RunAsync(_server, "--output", "json", "import", path);

        Assert.True(exitCode == 3, error);
        var summary = Summary(output);
        Assert.True(summary.GetProperty("failed").GetInt32() == 3, error);
        Assert.Equal(["created", "updated", "unchanged", "failed"], summary.EnumerateObject().Select(p => p.Name));
        Assert.Equal((2, 0, 0, 3), (summary.GetProperty("created").GetInt32(), summary.GetProperty("updated").GetInt32(), summary.GetProperty("unchanged").GetInt32(), summary.GetProperty("failed").GetInt32()));
        var failures = Lines(error).Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("error")).ToList();
        Assert.Equal([5L, 6L, 7L], failures.Select(f => f.GetProperty("line").GetInt64()).Order());
        Assert.Contains(failures, f => f.GetProperty("line").GetInt64() == 7 && f.GetProperty("reason").GetString() == "reserved-type");
        var a = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/A" }, cancellationToken: Ct);
        Assert.Equal(["https://a", "commas, \"quotes\" and\r\na newline"], a.Values.Select(v => v.Data.Text));
        Assert.Equal((60, false, true), (a.Values[1].Ttl, a.Values[1].Permissions.PublicRead, a.Values[1].Permissions.AdminWrite));
    }

    [Fact]
    public async Task ImportCsv_TtlOrPermissionsNotAsHandleWritesThem_FailsThoseLinesNamingTheFieldAndImportsTheRest()
    {
        var csv =
            "identifier,index,type,data,ttl,permissions\n" +  // line 1
            "88.168.1/T-1,1,URL,https://t1,1h,\n" +           // line 2: ttl with a unit
            "88.168.1/T-2,1,URL,https://t2,,111\n" +          // line 3: three bits
            "88.168.1/T-3,1,URL,https://t3,,11x0\n" +         // line 4: not a bit
            "88.168.1/T-4,1,URL,https://t4,,11100\n" +        // line 5: five bits
            "88.168.1/T-5,1,URL,https://t5,60,1100\n";        // line 6
        var path = TempFile(".csv", Encoding.UTF8.GetBytes(csv));

        var (exitCode, _, error) = await RunAsync(_server, "import", path);

        Assert.True(exitCode == 3, error);
        Assert.Contains("line 2: INVALID_ARGUMENT: 88.168.1/T-1: ttl '1h' is not a whole number of seconds", error, StringComparison.Ordinal);
        foreach (var (line, bits) in new[] { (3, "111"), (4, "11x0"), (5, "11100") })
        {
            Assert.Contains($"line {line}: INVALID_ARGUMENT: 88.168.1/T-{line - 1}: permissions '{bits}' are not four bits (admin read, admin write, public read, public write), e.g. 1110", error, StringComparison.Ordinal);
        }

        var imported = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/T-5" }, cancellationToken: Ct);
        Assert.Equal((60, true, true, false, false), (imported.Values[0].Ttl, imported.Values[0].Permissions.AdminRead, imported.Values[0].Permissions.AdminWrite, imported.Values[0].Permissions.PublicRead, imported.Values[0].Permissions.PublicWrite));
        var missing = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/T-2" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Import_SameFileTwice_SecondRunCreatesNothingAndChangesNoVersion()
    {
        var lines = Enumerable.Range(0, 3000).Select(i => $"88.168.1/R{i},1,URL,https://r/{i}");
        var path = TempFile(".csv", Encoding.UTF8.GetBytes("identifier,index,type,data\n" + string.Join('\n', lines) + "\n"));

        var first = await RunAsync(_server, "-o", "json", "import", path);
        var second = await RunAsync(_server, "-o", "json", "import", path);

        Assert.Equal((0, 3000), (first.ExitCode, Summary(first.Out).GetProperty("created").GetInt32()));
        Assert.Equal(0, second.ExitCode);
        Assert.Equal("{\"created\":0,\"updated\":0,\"unchanged\":3000,\"failed\":0}", Assert.Single(Lines(second.Out)));
        Assert.Contains("import: 3,000 records", second.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/R2999" }, cancellationToken: Ct)).Version);
    }

    [Theory]
    [InlineData("jsonl")]
    [InlineData("csv")]
    public async Task Export_ImportedIntoAnEmptyNode_ExportsTheSameRecords(string format)
    {
        var source = TempFile(".csv", Encoding.UTF8.GetBytes(
            "identifier,index,type,data,ttl,permissions\n" +
            "88.168.1/X-1,1,URL,https://x/1,,\n88.168.1/X-1,3,EMAIL,\"a@b, c\",3600,1110\n" +
            "88.168.1/X-2,1,batch,\"multi\nline\",,1100\n" +
            "88.168.1.5/Y,2,URL,https://y,10,0010\n"));
        Assert.Equal(0, (await RunAsync(_server, "import", source)).ExitCode);
        await using var empty = await TestServer.StartAsync();
        await empty.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);

        var exported = await RunAsync(_server, "export", "88.168.1", "--format", format);
        var imported = await RunAsync(empty, "import", TempFile("." + format, Encoding.UTF8.GetBytes(exported.Out)));
        var again = await RunAsync(empty, "export", "88.168.1", "--format", format);

        Assert.Equal((0, 0), (exported.ExitCode, imported.ExitCode));
        Assert.Equal(format == "csv" ? 6 : 3, Lines(exported.Out).Length); // the header, a row per value (one over two lines), or a line per record
        Assert.Equal(exported.Out, again.Out);
        var x1 = await empty.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/X-1" }, cancellationToken: Ct);
        Assert.Equal([1, 3], x1.Values.Select(v => v.Index));
    }

    [Fact]
    public async Task ExportCsv_Default_StartsWithAUtf8ByteOrderMarkAndNoBomLeavesItOut()
    {
        await _server.Registry.CreateRecordAsync(new CreateRecordRequest { Identifier = "88.168.1/中文", Values = { new Value { Index = 1, Type = "名称", Data = new ValueData { Text = "零件" } } } }, cancellationToken: Ct);

        var withBom = await RunAsync(_server, "export", "88.168.1", "--format", "csv");
        var withoutBom = await RunAsync(_server, "export", "88.168.1", "--format", "csv", "--no-bom");
        var jsonl = await RunAsync(_server, "export", "88.168.1");

        Assert.StartsWith("\uFEFFidentifier,index,type,data,ttl,permissions\n88.168.1/中文,1,名称,零件,", withBom.Out, StringComparison.Ordinal);
        Assert.Equal(withBom.Out[1..], withoutBom.Out);
        Assert.StartsWith("{", jsonl.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("gbk")]
    [InlineData("gb18030")]
    public async Task Import_CsvSavedAsGbk_ImportsTheChineseTextUnchanged(string encoding)
    {
        var gb18030 = Gb18030();
        var csv = "identifier,index,type,data\r\n88.168.1/GB-1,1,URL,https://gb/1\r\n88.168.1/GB-2,1,名称,\"液压泵, 型号 “甲”\"\r\n88.168.1/GB-3,1,备注,𠀀 four bytes in GB18030\r\n";
        var path = TempFile(".csv", gb18030.GetBytes(csv));

        var (exitCode, output, error) = await RunAsync(_server, "-o", "json", "import", path, "--encoding", encoding);

        Assert.True(exitCode == 0, error);
        Assert.Equal(3, Summary(output).GetProperty("created").GetInt32());
        var gb2 = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/GB-2" }, cancellationToken: Ct);
        Assert.Equal(("名称", "液压泵, 型号 “甲”"), (gb2.Values[0].Type, gb2.Values[0].Data.Text));
        var gb3 = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/GB-3" }, cancellationToken: Ct);
        Assert.Equal("𠀀 four bytes in GB18030", gb3.Values[0].Data.Text);
    }

    [Fact]
    public async Task Import_Utf8FileWithAGbkLine_ReportsThatLineByNumberAndImportsTheRest()
    {
        byte[] content =
        [
            .. Encoding.UTF8.GetBytes("identifier,index,type,data\n88.168.1/U-1,1,名称,零件\n"), // lines 1-2: UTF-8 decides
            .. Gb18030().GetBytes("88.168.1/U-2,1,名称,零件\n"),                                  // line 3: GBK
            .. Encoding.UTF8.GetBytes("88.168.1/U-3,1,URL,https://u/3\n"),                        // line 4
        ];

        var (exitCode, output, error) = await RunAsync(_server, "-o", "json", "import", TempFile(".csv", content));

        Assert.Equal(3, exitCode);
        Assert.Equal((2, 1), (Summary(output).GetProperty("created").GetInt32(), Summary(output).GetProperty("failed").GetInt32()));
        var failure = JsonDocument.Parse(Assert.Single(Lines(error), l => l.StartsWith('{'))).RootElement.GetProperty("error");
        Assert.Equal(3, failure.GetProperty("line").GetInt64());
        Assert.Contains("not UTF-8 text", failure.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("because of line 2", failure.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(NotFound, await StatusOfAsync("88.168.1/U-2"));
    }

    [Theory]
    [InlineData("csv", "88.168.1/N-2,1,URL,bad \xFF byte\n")]
    [InlineData("jsonl", "{\"identifier\":\"88.168.1/N-2\",\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"text\":\"bad \xFF byte\"}}]}\n")]
    public async Task Import_LineThatIsNeitherUtf8NorGb18030_FailsThatLineAlone(string format, string badLine)
    {
        var good1 = format == "csv" ? "identifier,index,type,data\n88.168.1/N-1,1,URL,https://n/1\n" : "{\"identifier\":\"88.168.1/N-1\"}\n{\"identifier\":\"88.168.1/N-1b\"}\n";
        var good3 = format == "csv" ? "88.168.1/N-3,1,URL,https://n/3\n" : "{\"identifier\":\"88.168.1/N-3\"}\n";
        byte[] content = [.. Encoding.ASCII.GetBytes(good1), .. Encoding.Latin1.GetBytes(badLine), .. Encoding.ASCII.GetBytes(good3)];

        var (exitCode, _, error) = await RunAsync(_server, "import", TempFile("." + format, content));

        Assert.Equal(3, exitCode);
        var reported = Assert.Single(Lines(error), l => l.StartsWith("line ", StringComparison.Ordinal));
        Assert.StartsWith("line 3: INVALID_ARGUMENT: ", reported, StringComparison.Ordinal);
        Assert.Contains("the line is neither UTF-8 nor GB18030 text (bytes FF", reported, StringComparison.Ordinal);
        Assert.Equal(NotFound, await StatusOfAsync("88.168.1/N-2"));
        Assert.Equal(StatusCode.OK, await StatusOfAsync("88.168.1/N-3"));
    }

    [Fact]
    public async Task Import_GbkFileReadAsUtf8_ReportsEachLineAndNamesTheEncodingToGive()
    {
        var path = TempFile(".csv", Gb18030().GetBytes("identifier,index,type,data\n88.168.1/E-1,1,名称,零件\n88.168.1/E-2,1,URL,https://e/2\n"));

        var (exitCode, _, error) = await RunAsync(_server, "import", path, "--encoding", "utf-8");

        Assert.Equal(3, exitCode);
        var reported = Assert.Single(Lines(error), l => l.StartsWith("line ", StringComparison.Ordinal));
        Assert.StartsWith("line 2: INVALID_ARGUMENT: ", reported, StringComparison.Ordinal);
        Assert.Contains("the line is not UTF-8 text", reported, StringComparison.Ordinal);
        Assert.Contains("give --encoding gb18030", reported, StringComparison.Ordinal);
        Assert.Equal(StatusCode.OK, await StatusOfAsync("88.168.1/E-2"));
    }

    [Fact]
    public async Task Import_Utf16File_ExitsOneSayingHowToSaveIt()
    {
        var path = TempFile(".csv", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("identifier,index,type,data\n")]);

        var (exitCode, _, error) = await RunAsync(_server, "import", path);

        Assert.Equal(1, exitCode);
        Assert.Contains("UTF-16", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportCsv_CellsThatSpreadsheetsWouldRunAsFormulas_AreEscapedAndImportReadsThemBackUnchanged()
    {
        string[] texts = ["=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'quoted", "''two", "'=x", "plain", "a=b", "'"];
        var record = new CreateRecordRequest { Identifier = "88.168.1/INJ" };
        record.Values.AddRange(texts.Select((t, i) => new Value { Index = i + 1, Type = i == 0 ? "=TYPE" : "note", Data = new ValueData { Text = t } }));
        await _server.Registry.CreateRecordAsync(record, cancellationToken: Ct);
        await using var empty = await TestServer.StartAsync();
        await empty.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);

        var exported = await RunAsync(_server, "export", "88.168.1", "--format", "csv");
        var imported = await RunAsync(empty, "import", TempFile(".csv", Encoding.UTF8.GetBytes(exported.Out)));

        Assert.True((0, 0) == (exported.ExitCode, imported.ExitCode), exported.Error + imported.Error + exported.Out.Replace("\r", "<CR>", StringComparison.Ordinal));
        var cells = exported.Out.Split('\n').Skip(1).Where(l => l.Length > 0).ToList();
        Assert.StartsWith("88.168.1/INJ,1,'=TYPE,\"'=HYPERLINK(\"\"http://x\"\")\",", cells[0], StringComparison.Ordinal);
        Assert.DoesNotContain(exported.Out.Split([',', '\n']), cell => cell.TrimStart('"').Length > 0 && cell.TrimStart('"')[0] is '=' or '+' or '-' or '@' or '\t' or '\r');
        var back = await empty.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/INJ" }, cancellationToken: Ct);
        Assert.Equal(texts, back.Values.Select(v => v.Data.Text));
        Assert.Equal("=TYPE", back.Values[0].Type);
        Assert.Equal(exported.Out, (await RunAsync(empty, "export", "88.168.1", "--format", "csv")).Out);
    }

    [Fact]
    public async Task ImportCsv_HandWrittenLeadingQuoteBeforeOrdinaryText_IsKept()
    {
        var path = TempFile(".csv", Encoding.UTF8.GetBytes("identifier,index,type,data\n88.168.1/HW,1,note,'80s\n88.168.1/HW,2,note,'=1\n88.168.1/HW,3,note,=1\n"));

        Assert.Equal(0, (await RunAsync(_server, "import", path)).ExitCode);

        var record = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/HW" }, cancellationToken: Ct);
        Assert.Equal(["'80s", "=1", "=1"], record.Values.Select(v => v.Data.Text));
    }

    private static Encoding Gb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030");
    }

    private static StatusCode NotFound => StatusCode.NotFound;

    private async Task<StatusCode> StatusOfAsync(string identifier)
    {
        try
        {
            await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = identifier }, cancellationToken: Ct);
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }

    [Fact]
    public async Task Import_WrongHeader_ExitsOneAndImportsNothing()
    {
        var path = TempFile(".csv", Encoding.UTF8.GetBytes("id,type,data\n88.168.1/Q,URL,https://q\n"));

        var (exitCode, _, error) = await RunAsync(_server, "import", path);

        Assert.Equal(1, exitCode);
        Assert.Contains("header", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_JsonLinesWithABadLine_ReportsItsNumberAndImportsTheOthers()
    {
        var path = TempFile(".jsonl", Encoding.UTF8.GetBytes(
            "{\"identifier\":\"88.168.1/J1\",\"values\":[{\"index\":1,\"type\":\"URL\",\"data\":{\"text\":\"https://j1\"}}]}\r\n" +
            "{not json\r\n" +
            "\r\n" +
            "{\"identifier\":\"88.168.1/J2\",\"values\":[]}\r\n"));

        var (exitCode, output, error) = await RunAsync(_server, "import", path);

        Assert.Equal(3, exitCode);
        Assert.StartsWith("line 2: INVALID_ARGUMENT:", Assert.Single(Lines(error), l => l.StartsWith("line ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("Created", output, StringComparison.Ordinal);
        Assert.Empty((await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/J2" }, cancellationToken: Ct)).Values);
    }

    [Fact]
    public async Task ResolveFile_ThousandsOfLines_StreamsAnswersInInputOrderAndExitsWithTheFirstFailuresCode()
    {
        var identifiers = Enumerable.Range(0, 2500).Select(i => $"88.168.1/F{i}").ToList();
        var csv = "identifier,index,type,data\n" + string.Join('\n', identifiers.Where((_, i) => i % 500 != 7).Select(id => $"{id},1,URL,https://{id}"));
        Assert.Equal(0, (await RunAsync(_server, "import", TempFile(".csv", Encoding.UTF8.GetBytes(csv)))).ExitCode);
        var list = TempFile(".txt", Encoding.UTF8.GetBytes("\uFEFF" + string.Join("\r\n", identifiers.Select(id => "  " + id)) + "\r\n\r\n"));

        var (exitCode, output, error) = await RunAsync(_server, "-o", "json", "resolve", "--file", list);

        Assert.Equal(2, exitCode);
        var answered = Lines(output).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("identifier").GetString()).ToList();
        Assert.Equal(identifiers.Where((_, i) => i % 500 != 7), answered);
        Assert.Equal(5, Lines(error).Length);
    }
}
