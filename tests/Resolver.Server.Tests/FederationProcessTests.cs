using Grpc.Core;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// The national tree as separate server processes (issue 10): the top-level node homes 88 and delegates 88.168 to the
/// secondary node, which delegates 88.168.1 to the enterprise node holding the records. Resolved through the top-level
/// node recursively and iteratively (the CLI following referrals), single, batch and stream; an update seen within its
/// TTL; the enterprise node stopped (cached answers stale, the rest UNAVAILABLE within the deadline); a loop reported.
/// </summary>
public sealed class FederationProcessTests : IAsyncLifetime
{
    private const int RecordTtl = 2;
    private ServerProcess _top = null!;
    private ServerProcess _secondary = null!;
    private ServerProcess _enterprise = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var started = await Task.WhenAll(
            ServerProcess.StartAsync("--recursive", "true", "--site-timeout-ms", "8000"),
            ServerProcess.StartAsync(),
            ServerProcess.StartAsync());
        (_top, _secondary, _enterprise) = (started[0], started[1], started[2]);

        await _top.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88" }, cancellationToken: Ct);
        await DelegateAsync(_top, "88.168", _secondary);
        await _secondary.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168" }, cancellationToken: Ct);
        await DelegateAsync(_secondary, "88.168.1", _enterprise);
        await _enterprise.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        foreach (var suffix in (string[])["A", "B", "C"])
        {
            var create = new CreateRecordRequest { Identifier = $"88.168.1/{suffix}" };
            create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = $"https://example.com/{suffix}/v1" }, Ttl = RecordTtl });
            await _enterprise.Registry.CreateRecordAsync(create, cancellationToken: Ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _top.DisposeAsync();
        await _secondary.DisposeAsync();
        await _enterprise.DisposeAsync();
    }

    private static async Task DelegateAsync(ServerProcess node, string prefix, ServerProcess site)
    {
        var request = new DelegatePrefixRequest { Prefix = prefix, Ttl = 60 };
        request.Sites.Add(site.GrpcAddress);
        await node.Admin.DelegatePrefixAsync(request, cancellationToken: Ct);
    }

    private async Task<ResolveResult> ResolveAtTopAsync(string identifier, DateTime? deadline = null) =>
        await _top.Resolution.ResolveAsync(new ResolveRequest { Identifier = identifier }, deadline: deadline ?? DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct);

    private static async Task<(int Exit, string Out, string Err)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Cli.ResolverCli.RunAsync(args, output, error, Ct);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Recursive_SingleBatchAndStream_AnswerTheEnterpriseRecordsThroughThreeNodes()
    {
        var single = await ResolveAtTopAsync("88.168.1/A");
        Assert.Equal("https://example.com/A/v1", single.Record.Values[0].Data.Text);
        Assert.Equal(["", _secondary.GrpcAddress, _enterprise.GrpcAddress], single.Trace.Select(h => h.Endpoint));
        Assert.Equal(["88.168", "88.168.1"], single.Trace.Skip(1).Select(h => h.Prefix));

        var batch = new BatchResolveRequest();
        batch.Requests.Add(new ResolveRequest { Identifier = "88.168.1/B" });
        batch.Requests.Add(new ResolveRequest { Identifier = "88.168.1/MISSING" });
        batch.Requests.Add(new ResolveRequest { Identifier = "88.168.1/C" });
        var answers = await _top.Resolution.BatchResolveAsync(batch, cancellationToken: Ct);
        Assert.Equal([0, (int)StatusCode.NotFound, 0], answers.Results.Select(r => r.Status.Code));
        Assert.Equal("https://example.com/C/v1", answers.Results[2].Record.Values[0].Data.Text);

        using var stream = _top.Resolution.ResolveStream(cancellationToken: Ct);
        foreach (var suffix in (string[])["C", "A"])
        {
            await stream.RequestStream.WriteAsync(new ResolveRequest { Identifier = $"88.168.1/{suffix}" }, Ct);
            Assert.True(await stream.ResponseStream.MoveNext(Ct));
            Assert.Equal($"https://example.com/{suffix}/v1", stream.ResponseStream.Current.Record.Values[0].Data.Text);
        }

        await stream.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task Iterative_TheCliFollowsTheReferralsFromTheTopLevelNode()
    {
        var (exit, output, error) = await CliAsync("--server", _top.GrpcAddress, "--output", "json", "resolve", "--no-recurse", "88.168.1/B");

        Assert.True(exit == 0, error);
        Assert.Contains("https://example.com/B/v1", output, StringComparison.Ordinal);
        Assert.Contains(_secondary.GrpcAddress, output, StringComparison.Ordinal);  // the trace: top → secondary → enterprise
        Assert.Contains(_enterprise.GrpcAddress, output, StringComparison.Ordinal);

        var (_, referral, _) = await CliAsync("--server", _top.GrpcAddress, "--output", "json", "resolve", "--no-recurse", "--no-follow", "88.168.1/B");
        Assert.Contains(_secondary.GrpcAddress, referral, StringComparison.Ordinal);
        Assert.DoesNotContain("https://example.com/B/v1", referral, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trace_AsANewUserAsksForIt_ShowsTheThreeHops()
    {
        var (exit, output, error) = await CliAsync("--server", _top.GrpcAddress, "resolve", "--trace", "88.168.1/A");

        Assert.True(exit == 0, error);
        var rows = output.Split('\n').Where(line => line.Contains("88.168", StringComparison.Ordinal) && (line.Contains("OK", StringComparison.Ordinal))).ToList();
        Assert.True(rows.Count >= 3, output);
        Assert.Contains(_secondary.GrpcAddress, output, StringComparison.Ordinal);
        Assert.Contains(_enterprise.GrpcAddress, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_AtTheEnterpriseNode_ReachesTheTopLevelNodesCallersWithinTheTtl()
    {
        Assert.Equal("https://example.com/A/v1", (await ResolveAtTopAsync("88.168.1/A")).Record.Values[0].Data.Text); // now cached at the top
        var update = new UpdateRecordRequest { Identifier = "88.168.1/A" };
        update.Values.Add(new Value { Index = 1, Type = "URL", Data = new ValueData { Text = "https://example.com/A/v2" }, Ttl = RecordTtl });
        await _enterprise.Registry.UpdateRecordAsync(update, cancellationToken: Ct);

        // The bound is the record's TTL; the margin is for a loaded machine, not for the cache.
        await Eventually.TrueAsync(async () => (await ResolveAtTopAsync("88.168.1/A")).Record.Values[0].Data.Text == "https://example.com/A/v2",
            TimeSpan.FromSeconds(RecordTtl + 3), "the top-level node still answered the old value well after the record's TTL");
    }

    [Fact]
    public async Task EnterpriseNodeStopped_CachedAnswersAreStale_UncachedAreUnavailableWithinTheDeadline()
    {
        Assert.False((await ResolveAtTopAsync("88.168.1/B")).Stale); // cached at the top
        await _enterprise.DisposeAsync();

        // Past the record's TTL the top-level node must ask again, cannot, and serves what it holds, marked stale.
        await Eventually.TrueAsync(async () => (await ResolveAtTopAsync("88.168.1/B")).Stale, TimeSpan.FromSeconds(RecordTtl + 5), "no stale answer after the enterprise node stopped");

        // The deadline is generous for a loaded machine; what counts is an answer (UNAVAILABLE naming the site), not DEADLINE_EXCEEDED.
        var started = DateTime.UtcNow;
        var failure = await Assert.ThrowsAsync<RpcException>(() => ResolveAtTopAsync("88.168.1/NEVER-CACHED", DateTime.UtcNow.AddSeconds(10)));
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Contains(_enterprise.GrpcAddress, failure.Status.Detail, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the answer came after the caller's deadline");
    }

    [Fact]
    public async Task DelegationLoop_IsAnErrorWithinTheDeadline()
    {
        await DelegateAsync(_top, "77.1", _secondary);
        await DelegateAsync(_secondary, "77.1", _top);

        // An answer, not DEADLINE_EXCEEDED: the deadline is only generous for a loaded machine's cold processes.
        var failure = await Assert.ThrowsAsync<RpcException>(() => ResolveAtTopAsync("77.1/X", DateTime.UtcNow.AddSeconds(10)));

        Assert.Equal(StatusCode.FailedPrecondition, failure.StatusCode);
        Assert.Contains("loop", failure.Status.Detail, StringComparison.Ordinal);
    }
}
