using System.Text.Json;
using Resolver.Cli;

using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>The <c>resolver</c> command against a real server, run in-process with captured output.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private Task<(int ExitCode, string Out, string Error)> RunAsync(params string[] args) => RunAgainstAsync(_server, args);

    /// <summary>Runs the CLI in-process against <paramref name="server"/> as its administrator, capturing its output.</summary>
    internal static async Task<(int ExitCode, string Out, string Error)> RunAgainstAsync(TestServer server, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await ResolverCli.RunAsync(["--server", server.GrpcAddress, "--token", TestServer.AdminToken, .. args], output, error, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Health_RunningServer_SaysServingAndExitsZero()
    {
        var (exitCode, output, _) = await RunAsync("health");

        Assert.Equal(0, exitCode);
        Assert.StartsWith($"{_server.GrpcAddress}: SERVING", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewUserFlow_HomeRegisterResolve_InTableAndJson()
    {
        Assert.Equal(0, (await RunAsync("prefix", "home", "88.168.1")).ExitCode);
        var register = await RunAsync("register", "88.168.1/ABC-001", "--value", "URL=https://example.com/p?a=1&b=2");
        var table = await RunAsync("resolve", "88.168.1/ABC-001");
        var json = await RunAsync("--output", "json", "resolve", "88.168.1/abc-001");

        Assert.Equal(0, register.ExitCode);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("https://example.com/p?a=1&b=2", table.Out, StringComparison.Ordinal);
        Assert.Contains("88.168.1/ABC-001", table.Out, StringComparison.Ordinal);
        Assert.Equal(0, json.ExitCode);
        using var document = JsonDocument.Parse(Assert.Single(Lines(json.Out)));
        var record = document.RootElement.GetProperty("record");
        Assert.Equal("88.168.1/ABC-001", record.GetProperty("identifier").GetString());
        Assert.Equal("https://example.com/p?a=1&b=2", record.GetProperty("values")[0].GetProperty("data").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Resolve_Malformed_ExitsOneWithTheRuleOnOneLine()
    {
        var (exitCode, output, error) = await RunAsync("resolve", "88..1/x");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("INVALID_ARGUMENT: ", line, StringComparison.Ordinal);
        Assert.Contains("empty-segment at position 3", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_Missing_ExitsTwo()
    {
        await RunAsync("prefix", "home", "88.168.1");

        var (exitCode, _, error) = await RunAsync("resolve", "88.168.1/NOPE");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("NOT_FOUND: ", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_SeveralIds_PrintsJsonLinesAndExitsWithTheFirstFailuresCode()
    {
        await RunAsync("prefix", "home", "88.168.1");
        await RunAsync("register", "88.168.1/A", "--value", "URL=https://a");
        await RunAsync("register", "88.168.1/B", "--value", "URL=https://b");

        var (exitCode, output, error) = await RunAsync("-o", "json", "resolve", "88.168.1/A", "88.168.1/missing", "bad", "88.168.1/B");

        Assert.Equal(2, exitCode);
        Assert.Equal(["88.168.1/A", "88.168.1/B"], Lines(output).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("identifier").GetString()));
        var errors = Lines(error).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("error")).ToList();
        Assert.Equal([("88.168.1/missing", 2), ("bad", 1)], errors.Select(e => (e.GetProperty("identifier").GetString(), e.GetProperty("exitCode").GetInt32())));
        Assert.Equal("missing-slash", errors[1].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Resolve_File_TrimsLinesAndSkipsBlanks()
    {
        await RunAsync("prefix", "home", "88.168.1");
        await RunAsync("register", "88.168.1/A", "--value", "URL=https://a");
        var file = Path.Combine(_server.DataDir, "ids.txt");
        await File.WriteAllTextAsync(file, "  88.168.1/A  \r\n\n88.168.1/a\n", TestContext.Current.CancellationToken);

        var (exitCode, output, _) = await RunAsync("-o", "json", "resolve", "--file", file);

        Assert.Equal(0, exitCode);
        Assert.Equal(2, Lines(output).Length);
    }

    [Fact]
    public async Task Resolve_ManyIdentifiersWithManyFilters_AreSentInBatchesWithinTheServersFilterLimit()
    {
        // 1,500 identifiers × 13 filters: a batch of 1,000 would carry 13,000, past the 10,000 a request may (ResolverLimits.MaxFiltersPerRequest).
        await RunAsync("prefix", "home", "88.168.1");
        await RunAsync("register", "88.168.1/A", "--value", "URL=https://a");
        string[] filters = [.. Enumerable.Range(1, 12).SelectMany(i => (string[])["--type", $"T{i}"]), "--type", "URL"];

        var (exitCode, output, error) = await RunAsync(["-o", "json", "resolve", .. Enumerable.Repeat("88.168.1/A", 1500), .. filters]);

        Assert.True(exitCode == 0, error);
        Assert.Equal(1500, Lines(output).Length);
    }

    [Fact]
    public async Task Register_Existing_ExitsFour()
    {
        await RunAsync("prefix", "home", "88.168.1");
        await RunAsync("register", "88.168.1/A", "--value", "URL=https://a");

        var (exitCode, _, error) = await RunAsync("register", "88.168.1/A", "--value", "URL=https://b");

        Assert.Equal(4, exitCode);
        Assert.StartsWith("ALREADY_EXISTS: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_ValueSyntax_IndexIsLeadingDigitsAndDataFollowsTheFirstEquals()
    {
        await RunAsync("prefix", "home", "88.168.1");

        var (exitCode, output, error) = await RunAsync("-o", "json", "register", "88.168.1/A", "--value", "3:URL=https://x/?q=a:b=c", "--value", "note=k=v", "--ttl", "60");

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        var values = JsonDocument.Parse(output).RootElement.GetProperty("values");
        Assert.Equal((1, "note", "k=v", 60), (values[0].GetProperty("index").GetInt32(), values[0].GetProperty("type").GetString(), values[0].GetProperty("data").GetProperty("text").GetString(), values[0].GetProperty("ttl").GetInt32()));
        Assert.Equal((3, "URL", "https://x/?q=a:b=c"), (values[1].GetProperty("index").GetInt32(), values[1].GetProperty("type").GetString(), values[1].GetProperty("data").GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Register_BadValueSyntax_ExitsOneWithoutCallingTheServer()
    {
        var (exitCode, _, error) = await RunAsync("register", "88.168.1/A", "--value", "no-equals-sign");

        Assert.Equal(1, exitCode);
        Assert.Contains("[INDEX:]TYPE=DATA", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateAndDelete_ChangeWhatResolveAnswers()
    {
        await RunAsync("prefix", "home", "88.168.1");
        await RunAsync("register", "88.168.1/A", "--value", "URL=https://old", "--value", "EMAIL=a@b");

        var update = await RunAsync("update", "88.168.1/A", "--value", "URL=https://new", "--remove", "2");
        var resolved = await RunAsync("resolve", "88.168.1/A");
        var stale = await RunAsync("update", "88.168.1/A", "--value", "URL=x", "--expected-version", "1");
        var delete = await RunAsync("delete", "88.168.1/A");
        var gone = await RunAsync("resolve", "88.168.1/A");

        Assert.Equal(0, update.ExitCode);
        Assert.Contains("https://new", resolved.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("a@b", resolved.Out, StringComparison.Ordinal);
        Assert.Equal(4, stale.ExitCode);
        Assert.Equal(0, delete.ExitCode);
        Assert.Equal(2, gone.ExitCode);
        Assert.Contains("was deleted at", gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrefixList_ShowsHomedPrefixes()
    {
        await RunAsync("prefix", "home", "88.168.1");

        var (exitCode, output, _) = await RunAsync("-o", "json", "prefix", "list");

        Assert.Equal(0, exitCode);
        Assert.Equal("88.168.1", JsonDocument.Parse(Assert.Single(Lines(output))).RootElement.GetProperty("prefix").GetString());
    }

    [Fact]
    public async Task PrefixDelegate_ThenList_ShowsKindSitesAndTtlInTableAndJson()
    {
        await RunAsync("prefix", "home", "88.168.1");

        var delegated = await RunAsync("prefix", "delegate", "88.168.2", "--site", "https://a.example:5443", "--site", "http://b.example:5280", "--ttl", "600");
        var table = await RunAsync("prefix", "list");
        var json = await RunAsync("-o", "json", "prefix", "list");

        Assert.Equal((0, "delegated 88.168.2 to https://a.example:5443, http://b.example:5280 (referrals cached 600 s)"), (delegated.ExitCode, delegated.Out.Trim()));
        Assert.Equal(0, table.ExitCode);
        var row = Assert.Single(Lines(table.Out), line => line.Contains("88.168.2", StringComparison.Ordinal));
        Assert.Matches(@"88\.168\.2\s.*delegated\s.*https://a\.example:5443, http://b\.example:5280\s.*600\s", row);
        Assert.Contains("TTL", table.Out, StringComparison.Ordinal);
        var entries = Lines(json.Out).Select(line => JsonDocument.Parse(line).RootElement).ToDictionary(e => e.GetProperty("prefix").GetString()!);
        Assert.Equal(("PREFIX_KIND_DELEGATED", 600), (entries["88.168.2"].GetProperty("kind").GetString(), entries["88.168.2"].GetProperty("ttl").GetInt32()));
        Assert.Equal(["https://a.example:5443", "http://b.example:5280"], entries["88.168.2"].GetProperty("endpoints").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("PREFIX_KIND_HOMED", entries["88.168.1"].GetProperty("kind").GetString());
        Assert.False(entries["88.168.1"].TryGetProperty("ttl", out _));
    }

    [Fact]
    public async Task PrefixDelegate_AgainWithoutTtl_ReplacesSitesWithTheDefaultTtl()
    {
        await RunAsync("prefix", "delegate", "88.168.2", "--site", "https://a.example:5443", "--ttl", "600");

        var again = await RunAsync("-o", "json", "prefix", "delegate", "88.168.2", "--site", "https://moved.example:5443");

        Assert.Equal(0, again.ExitCode);
        var response = JsonDocument.Parse(Assert.Single(Lines(again.Out))).RootElement;
        Assert.False(response.TryGetProperty("created", out _)); // false: replaced
        Assert.Equal(3600, response.GetProperty("prefix").GetProperty("ttl").GetInt32());
        Assert.Equal("https://moved.example:5443", response.GetProperty("prefix").GetProperty("endpoints")[0].GetString());
    }

    [Fact]
    public async Task PrefixDelegate_HomedPrefix_ExitsThreeWithOneLineNamingIt()
    {
        await RunAsync("prefix", "home", "88.168.1");

        var (exitCode, output, error) = await RunAsync("prefix", "delegate", "88.168.1", "--site", "https://a.example:5443");

        Assert.Equal(3, exitCode);
        Assert.Empty(output);
        Assert.StartsWith("FAILED_PRECONDITION: prefix 88.168.1 is homed here", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prefix", "delegate", "88.168.2", "--site", "https://a.example")]                          // no port: the server says so
    [InlineData("prefix", "delegate", "88.168.2", "--site", "https://a.example:5443", "--ttl", "604801")]
    [InlineData("prefix", "delegate", "88.168.2", "--site", "https://a.example:5443", "--ttl", "0")]       // 0 would mean the default on the wire
    [InlineData("prefix", "delegate", "88.168.2")]                                                          // --site is required
    [InlineData("prefix", "delegate", "88.168.2", "--site", "https://a.example:5443", "--ttl", "soon")]
    public async Task PrefixDelegate_BadInput_ExitsOneAndDelegatesNothing(params string[] args)
    {
        var (exitCode, _, error) = await RunAsync(args);

        Assert.Equal(1, exitCode);
        Assert.Single(Lines(error));
        Assert.DoesNotContain("88.168.2", (await RunAsync("prefix", "list")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrefixUndelegate_TwiceExitsZeroAndSaysWhatHappened()
    {
        await RunAsync("prefix", "delegate", "88.168.2", "--site", "https://a.example:5443");

        var removed = await RunAsync("prefix", "undelegate", "88.168.2");
        var again = await RunAsync("-o", "json", "prefix", "undelegate", "88.168.2");

        Assert.Equal((0, "removed the delegation of 88.168.2"), (removed.ExitCode, removed.Out.Trim()));
        Assert.Equal(0, again.ExitCode);
        Assert.False(JsonDocument.Parse(again.Out).RootElement.TryGetProperty("removed", out _)); // false: nothing was delegated
        Assert.DoesNotContain("88.168.2", (await RunAsync("prefix", "list")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCommand_UnreachableServer_ExitsThreeNamingTheAddress()
    {
        var address = $"http://127.0.0.1:{FreePort.Next()}";
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await ResolverCli.RunAsync(["--server", address, "resolve", "88.1/x"], output, error, TestContext.Current.CancellationToken);

        Assert.Equal(3, exitCode);
        var line = Assert.Single(Lines(error.ToString()));
        Assert.StartsWith("UNAVAILABLE: ", line, StringComparison.Ordinal);
        Assert.Contains(address, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_ExitsOneWithOneLine()
    {
        var (exitCode, output, error) = await RunAsync("frobnicate");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains("frobnicate", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveFile_Directory_ExitsOneWithOneLine()
    {
        var (exitCode, _, error) = await RunAsync("resolve", "--file", _server.DataDir);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("INVALID_ARGUMENT: cannot read", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_DataWithControlCharacters_IsEscaped()
    {
        await RunAsync("prefix", "home", "88.168.1");
        await RunAsync("register", "88.168.1/ESC", "--value", "A=\u001b[31mRED\nnext");

        var (exitCode, output, _) = await RunAsync("resolve", "88.168.1/ESC");

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain('\u001b', output);
        Assert.Contains("\\u001B[31mRED\\u000Anext", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("resolve", "88.168.1/A", "--index", "0")]
    [InlineData("resolve", "88.168.1/A", "--type", "")]
    [InlineData("--timeout", "0", "resolve", "88.168.1/A")]
    [InlineData("update", "88.168.1/A", "--remove", "0")]
    [InlineData("update", "88.168.1/A", "--value", "URL=x", "--expected-version", "0")]
    [InlineData("register", "88.168.1/A", "--value", "-1:A=x")]
    public async Task BadNumbersAndFilters_ExitOne(params string[] args)
    {
        await RunAsync("prefix", "home", "88.168.1");
        await RunAsync("register", "88.168.1/A", "--value", "URL=https://a");

        var (exitCode, _, error) = await RunAsync(args);

        Assert.Equal(1, exitCode);
        Assert.Single(Lines(error));
    }

    [Fact]
    public async Task UsageError_SaysItInOneLineWithoutDotnetTypeNames()
    {
        var (exitCode, _, error) = await RunAsync("--output", "xml", "health");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(Lines(error));
        Assert.DoesNotContain("Resolver.Cli", line, StringComparison.Ordinal);
        Assert.Contains("table or json", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteError_InJson_NamesTheIdentifier()
    {
        var (exitCode, _, error) = await RunAsync("-o", "json", "register", "99.1/X", "--value", "URL=x");

        Assert.Equal(3, exitCode);
        var body = JsonDocument.Parse(Assert.Single(Lines(error))).RootElement.GetProperty("error");
        Assert.Equal(("FAILED_PRECONDITION", "99.1/X"), (body.GetProperty("code").GetString(), body.GetProperty("identifier").GetString()));
    }

    [Fact]
    public void TokenOption_HasNoDefault_SoHelpNeverPrintsTheCredentialFromTheEnvironment() =>
        Assert.False(new GlobalOptions().Token.HasDefaultValue);

    [Fact]
    public async Task AnyCall_ToTheHttpPortInsteadOfGrpc_SaysWhichPortIsWhich()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exitCode = await ResolverCli.RunAsync(["--server", _server.HttpAddress, "resolve", "88.168.1/X"], output, error, TestContext.Current.CancellationToken);

        Assert.Equal(3, exitCode);
        Assert.Contains("not the node's gRPC port", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_Json_GivesTheLimitsAndHomedPrefixes()
    {
        await _server.Admin.HomePrefixAsync(new Protocol.V1.HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: TestContext.Current.CancellationToken);

        var (exitCode, output, error) = await RunAsync("-o", "json", "info");

        Assert.True(exitCode == 0, error);
        var info = System.Text.Json.JsonDocument.Parse(output).RootElement;
        Assert.Equal("88.168.1", info.GetProperty("homedPrefixes")[0].GetString());
        Assert.Equal(2000, info.GetProperty("limits").GetProperty("maxBatchSize").GetInt32());
    }

    [Fact]
    public async Task Bench_UnaryOfUnknownIds_CountsEachNotFoundAsAnAnsweredCall()
    {
        await RunAsync("prefix", "home", "88.168.1");

        var (exitCode, output, error) = await RunAsync("-o", "json", "bench", "--mode", "unary", "-c", "2", "--warmup", "0", "--duration", "0.5", "--count", "50");

        Assert.True(exitCode == 0, error);
        var report = JsonDocument.Parse(output).RootElement;
        var calls = report.GetProperty("calls").GetInt64();
        Assert.True(calls > 0, output);
        Assert.Equal(calls, report.GetProperty("ids").GetInt64());
        Assert.Equal(0, report.GetProperty("refused").GetInt64());
        Assert.InRange(report.GetProperty("errors").GetProperty("NOT_FOUND").GetInt64(), calls - 2, calls + 2); // a caller's last call may straddle the end
        Assert.DoesNotContain("warning", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_NodeRefusingMostCalls_CountsOnlyAnsweredIdsAndSaysWhy()
    {
        await using var limited = await TestServer.StartAsync("--rate-limit", "5");

        var (exitCode, output, error) = await RunAgainstAsync(limited, "-o", "json", "bench", "--mode", "batch", "--batch-size", "10", "-c", "2", "--warmup", "0", "--duration", "1");

        Assert.True(exitCode == 0, error);
        var report = JsonDocument.Parse(output).RootElement;
        var calls = report.GetProperty("calls").GetInt64();
        var refused = report.GetProperty("refused").GetInt64();
        // A bucket of 5 refilled at 5 per second answers at most 5 + 5 per second measured, plus one call per caller in flight.
        Assert.InRange(calls, 1, 5 + (5 * (long)Math.Ceiling(report.GetProperty("seconds").GetDouble())) + 2);
        Assert.Equal(calls * 10, report.GetProperty("ids").GetInt64());
        Assert.True(refused > calls, output);
        Assert.Equal(refused, report.GetProperty("errors").GetProperty("RESOURCE_EXHAUSTED").GetInt64());
        Assert.Contains("refused with RESOURCE_EXHAUSTED", error, StringComparison.Ordinal);
        Assert.Contains("--rate-limit off", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_StreamsTheNodeRefuses_AreCountedRefusedAndReopened_WhileTheAdmittedOneIsAnswered()
    {
        await using var limited = await TestServer.StartAsync("--rate-limit", "1");

        var (exitCode, output, error) = await RunAgainstAsync(limited, "-o", "json", "bench", "--mode", "stream", "--window", "4", "-c", "3", "--warmup", "0", "--duration", "1", "--count", "5");

        Assert.True(exitCode == 0, error);
        var report = JsonDocument.Parse(output).RootElement;
        var refused = report.GetProperty("refused").GetInt64();
        Assert.True(report.GetProperty("ids").GetInt64() > 0, output); // the stream the one token admitted
        Assert.True(refused > 2, output); // more than one refusal per refused caller: they open streams again
        Assert.Equal(refused, report.GetProperty("errors").GetProperty("RESOURCE_EXHAUSTED").GetInt64());
    }

    [Fact]
    public async Task Bench_Stream_AnswersEveryMessageInItsWindow()
    {
        await RunAsync("prefix", "home", "88.168.1");
        await RunAsync("register", "88.168.1/BENCH-0", "--value", "URL=https://example.com/0");

        var (exitCode, output, error) = await RunAsync("-o", "json", "bench", "--mode", "stream", "--window", "8", "-c", "2", "--warmup", "0", "--duration", "0.5", "--count", "1");

        Assert.True(exitCode == 0, error);
        var report = JsonDocument.Parse(output).RootElement;
        Assert.True(report.GetProperty("ids").GetInt64() > 0, output);
        Assert.Equal(0, report.GetProperty("refused").GetInt64());
        Assert.Empty(report.GetProperty("errors").EnumerateObject());
    }

    /// <summary>Runs the CLI with <c>--server</c> <paramref name="server"/> (e.g. a Handle address), capturing its output.</summary>
    private static async Task<(int ExitCode, string Out, string Error)> RunAtAsync(string server, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await ResolverCli.RunAsync(["--server", server, .. args], output, error, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("handle-udp")]
    [InlineData("handle-tcp")]
    public async Task Bench_OverTheHandleProtocol_CountsEveryAnswerWithoutErrors(string protocol)
    {
        await RunAsync("prefix", "home", "88.168.1");
        await RunAsync("register", "88.168.1/BENCH-0", "--value", "URL=https://example.com/0");
        await RunAsync("register", "88.168.1/BENCH-1", "--value", "URL=https://example.com/1");

        var (exitCode, output, error) = await RunAtAsync(_server.HandleAddress, "-o", "json", "bench", "--protocol", protocol, "-c", "4", "--connections", "2", "--warmup", "0", "--duration", "0.5", "--count", "2");

        Assert.True(exitCode == 0, error);
        var report = JsonDocument.Parse(output).RootElement;
        var calls = report.GetProperty("calls").GetInt64();
        Assert.True(calls > 0, output);
        Assert.Equal(calls, report.GetProperty("ids").GetInt64());
        Assert.Equal(0, report.GetProperty("refused").GetInt64());
        Assert.Empty(report.GetProperty("errors").EnumerateObject());
        Assert.Equal("unary", report.GetProperty("mode").GetString());
        Assert.Equal(_server.HandleAddress, report.GetProperty("server").GetString());
        Assert.Equal(protocol == "handle-udp" ? 4 : 2, report.GetProperty("connections").GetInt32()); // UDP: each caller's own socket
    }

    [Fact]
    public async Task Bench_HandleUdpOfUnknownIds_NamesThemAsTheNodesMetricsDo()
    {
        await RunAsync("prefix", "home", "88.168.1");

        var (exitCode, output, error) = await RunAtAsync(_server.HandleAddress, "-o", "json", "bench", "--protocol", "handle-udp", "-c", "2", "--warmup", "0", "--duration", "0.5", "--count", "50");

        Assert.True(exitCode == 0, error);
        var report = JsonDocument.Parse(output).RootElement;
        var calls = report.GetProperty("calls").GetInt64();
        Assert.True(calls > 0, output);
        // HANDLE_NOT_FOUND (100) is an answer, counted under NOT_FOUND as resolver_requests_total counts it.
        Assert.InRange(report.GetProperty("errors").GetProperty("NOT_FOUND").GetInt64(), calls - 2, calls + 2);
        Assert.Equal(0, report.GetProperty("refused").GetInt64());
    }

    [Theory]
    [InlineData("handle-udp", "batch")]
    [InlineData("handle-tcp", "stream")]
    public async Task Bench_HandleProtocolWithBatchOrStream_ExitsOneSayingUnaryOnly(string protocol, string mode)
    {
        var (exitCode, output, error) = await RunAtAsync(_server.HandleAddress, "bench", "--protocol", protocol, "--mode", mode, "--duration", "0.5");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("INVALID_ARGUMENT: ", line, StringComparison.Ordinal);
        Assert.Contains($"the Handle protocol has no {mode}", line, StringComparison.Ordinal);
        Assert.Contains("--mode unary", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_HandleAddressWithGrpcProtocol_ExitsOneNamingTheHandleProtocols()
    {
        var (exitCode, _, error) = await RunAtAsync(_server.HandleAddress, "bench", "--duration", "0.5");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(Lines(error));
        Assert.Contains("--protocol handle-udp or --protocol handle-tcp", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("handle-udp")]
    [InlineData("handle-tcp")]
    public async Task Bench_NoHandleServerThere_ExitsThreeSayingWhatToGive(string protocol)
    {
        var nowhere = $"hdl://127.0.0.1:{FreePort.Next()}";

        var (exitCode, output, error) = await RunAtAsync(nowhere, "bench", "--protocol", protocol, "--timeout", "2", "--duration", "0.5");

        Assert.Equal(3, exitCode);
        Assert.Empty(output);
        var line = Assert.Single(Lines(error));
        Assert.Contains($"no Handle server answered at {nowhere}", line, StringComparison.Ordinal);
        Assert.Contains("give --server hdl://HOST:PORT", line, StringComparison.Ordinal);
    }
}
