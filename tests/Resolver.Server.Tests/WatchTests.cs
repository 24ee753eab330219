using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Resolver.Cli;
using Resolver.Protocol.V1;
using Resolver.Server.Api;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>Registry.Watch and <c>resolver watch</c>: live changes from any replica, resuming from a position, retention, slow subscribers.</summary>
public sealed class WatchTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static UpsertRecordRequest Upsert(string identifier, string text)
    {
        var request = new UpsertRecordRequest { Identifier = identifier };
        request.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = text } });
        return request;
    }

    private static string Reason(RpcException exception) =>
        Problem.Parser.ParseFrom(exception.Trailers.GetValueBytes(ProblemMetadata.TrailerKey)).Reason;

    /// <summary>Reads <paramref name="count"/> events from an open watch.</summary>
    private static async Task<List<ChangeEvent>> TakeAsync(IAsyncStreamReader<ChangeEvent> events, int count)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        var taken = new List<ChangeEvent>();
        while (taken.Count < count && await events.MoveNext(deadline.Token))
        {
            taken.Add(events.Current);
        }

        return taken;
    }

    [Fact]
    public async Task Watch_WritesThroughAnotherReplica_ArriveWithSequenceAndVersionInCommitOrder()
    {
        var store = "postgres:" + await postgres.Server.CreateSchemaAsync(Ct);
        await using var a = await TestServer.StartAsync("--store", store);
        await using var b = await TestServer.StartAsync("--store", store);
        await a.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        using var watch = b.Registry.Watch(new WatchRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        await watch.ResponseHeadersAsync;

        await a.RegisterAsync("88.168.1/W", "https://1");
        await a.RegisterAsync("88.169.1/ELSEWHERE", "https://x");
        var update = new UpdateRecordRequest { Identifier = "88.168.1/W" };
        update.Values.Add(new Value { Index = 1, Type = "URL", Data = new ValueData { Text = "https://2" } });
        await a.Registry.UpdateRecordAsync(update, cancellationToken: Ct);
        await a.Registry.DeleteRecordAsync(new DeleteRecordRequest { Identifier = "88.168.1/W" }, cancellationToken: Ct);

        var events = await TakeAsync(watch.ResponseStream, 3);

        Assert.Equal([ChangeKind.Create, ChangeKind.Update, ChangeKind.Delete], events.Select(e => e.Kind));
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Version));
        Assert.All(events, e => Assert.Equal("88.168.1/W", e.Identifier));
        Assert.True(events[0].Sequence < events[1].Sequence && events[1].Sequence < events[2].Sequence);
        Assert.Null(events[2].Record);
    }

    [Fact]
    public async Task Watch_ResumedAfterTheLastSequence_GetsExactlyTheChangesMissed()
    {
        await using var server = await TestServer.StartAsync();
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        long last;
        using (var first = server.Registry.Watch(new WatchRequest { Prefix = "88.168.1" }, cancellationToken: Ct))
        {
            await first.ResponseHeadersAsync;
            await BulkUpsertTests.BulkAsync(server.Registry, [Upsert("88.168.1/A", "https://a")]);
            last = Assert.Single(await TakeAsync(first.ResponseStream, 1)).Sequence;
        }

        await BulkUpsertTests.BulkAsync(server.Registry, [Upsert("88.168.1/A", "https://a2")]);
        await BulkUpsertTests.BulkAsync(server.Registry, [Upsert("88.168.1/B", "https://b")]);
        await server.Registry.DeleteRecordAsync(new DeleteRecordRequest { Identifier = "88.168.1/A" }, cancellationToken: Ct);
        using var resumed = server.Registry.Watch(new WatchRequest { Prefix = "88.168.1", After = last }, cancellationToken: Ct);
        var missed = await TakeAsync(resumed.ResponseStream, 3);
        await BulkUpsertTests.BulkAsync(server.Registry, [Upsert("88.168.1/C", "https://c")]);
        var next = await TakeAsync(resumed.ResponseStream, 1);

        Assert.Equal(["update 88.168.1/A", "create 88.168.1/B", "delete 88.168.1/A"], missed.Select(e => $"{e.Kind.ToString().ToLowerInvariant()} {e.Identifier}"));
        Assert.Equal("88.168.1/C", Assert.Single(next).Identifier);
        Assert.True(next[0].Sequence > missed[^1].Sequence);
    }

    [Fact]
    public async Task Watch_PositionOlderThanTheRetainedLog_IsOutOfRangeResyncNeeded()
    {
        var clock = new ShiftedTimeProvider();
        await using var server = await TestServer.StartAsync(services => services.AddSingleton<TimeProvider>(clock), "--change-retention-hours", "1");
        await server.RegisterAsync("88.168.1/OLD", "https://old");
        clock.Shift(TimeSpan.FromHours(2));
        await server.RegisterAsync("88.168.1/NEW", "https://new");
        var pruning = server.Services.GetServices<IHostedService>().OfType<ChangeLogPruning>().Single();

        var pruned = await pruning.PruneOnceAsync(Ct);

        Assert.Equal(1, pruned);
        using var stale = server.Registry.Watch(new WatchRequest { Prefix = "88.168.1", After = 0 }, cancellationToken: Ct);
        var refused = await Assert.ThrowsAsync<RpcException>(() => stale.ResponseStream.MoveNext(Ct));
        Assert.Equal((StatusCode.OutOfRange, ChangeWatch.ResyncNeeded), (refused.StatusCode, Reason(refused)));
        using var current = server.Registry.Watch(new WatchRequest { Prefix = "88.168.1", After = 1 }, cancellationToken: Ct);
        Assert.Equal("88.168.1/NEW", Assert.Single(await TakeAsync(current.ResponseStream, 1)).Identifier);
    }

    [Fact]
    public async Task Watch_SubscriberThatDoesNotRead_IsCutOffWithWatchTooSlow()
    {
        await using var server = await TestServer.StartAsync("--watch-buffer", "10");
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        using var watch = server.Registry.Watch(new WatchRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        await watch.ResponseHeadersAsync;

        // Large events, so that the transport's buffers fill long before the subscriber's 10 changes do.
        var big = new string('x', 60_000);
        await BulkUpsertTests.BulkAsync(server.Registry, Enumerable.Range(0, 600).Select(i => Upsert($"88.168.1/S{i}", big + i)));

        var cut = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await watch.ResponseStream.MoveNext(Ct))
            {
            }
        });
        Assert.Equal((StatusCode.ResourceExhausted, ChangeWatch.TooSlow), (cut.StatusCode, Reason(cut)));
    }

    [Fact]
    public async Task WatchCommand_JsonOutput_PrintsOneObjectPerChange()
    {
        await using var server = await TestServer.StartAsync();
        await server.RegisterAsync("88.168.1/CLI", "https://1");
        await server.RegisterAsync("88.168.1/CLI2", "https://2");
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watching = ResolverCli.RunAsync(["--server", server.GrpcAddress, "--token", TestServer.AdminToken, "-o", "json", "watch", "88.168.1", "--after", "0"], output, error, stop.Token);

        await Eventually.TrueAsync(() => { lock (output) { return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 2; } }, TimeSpan.FromSeconds(30), "watch printed two changes");
        await stop.CancelAsync();

        Assert.Equal(0, await watching);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("\"identifier\": \"88.168.1/CLI\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"kind\": \"CHANGE_KIND_CREATE\"", lines[1], StringComparison.Ordinal);
    }
}
