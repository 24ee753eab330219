using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Protocol.V1;
using Resolver.Server.Api;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// <c>--max-bulk-streams</c>: imports past the bound wait for a slot instead of running, since each may hold 64 MiB and the
/// derived GC heap limit counts only that many (an import more would end the node with "Out of memory", not slow it).
/// </summary>
public sealed class BulkStreamSlotsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SecondImport_PastTheBound_WaitsForTheFirstThenRuns()
    {
        await using var server = await TestServer.StartAsync("--max-bulk-streams", "1");
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        var slots = server.Services.GetRequiredService<BulkStreamSlots>();
        using var first = server.Registry.BulkUpsert(cancellationToken: Ct);
        await first.RequestStream.WriteAsync(Upsert("88.168.1/FIRST"), Ct);
        Assert.True(await first.ResponseStream.MoveNext(Ct)); // the first import runs: it holds the slot

        using var second = server.Registry.BulkUpsert(cancellationToken: Ct);
        await second.RequestStream.WriteAsync(Upsert("88.168.1/SECOND"), Ct);
        await Eventually.TrueAsync(() => slots.Waiting == 1, TimeSpan.FromSeconds(10), "the second import never waited for a slot");
        var secondAnswer = second.ResponseStream.MoveNext(Ct);
        var stillWaiting = !secondAnswer.IsCompleted && slots.Waiting == 1;
        await first.RequestStream.CompleteAsync();
        while (await first.ResponseStream.MoveNext(Ct))
        {
        }

        Assert.True(stillWaiting, "the second import ran beside the first");
        Assert.True(await secondAnswer);
        Assert.Equal(("88.168.1/SECOND", UpsertOutcome.Created), (second.ResponseStream.Current.Identifier, second.ResponseStream.Current.Outcome));
        await second.RequestStream.CompleteAsync();
        Assert.False(await second.ResponseStream.MoveNext(Ct));
        Assert.Equal(0, slots.Waiting);
    }

    [Fact]
    public void HeapLimit_CountsEveryBulkStream()
    {
        const long MiB = 1024 * 1024;

        Assert.Equal((256 + 128 + (3 * 64)) * MiB, HeapLimit.Derive(256, 4 * 1024 * 1024, bulkStreams: 3));
    }

    private static UpsertRecordRequest Upsert(string identifier) =>
        new() { Identifier = identifier, Values = { new Value { Type = "URL", Data = new ValueData { Text = $"https://example.com/{identifier}" } } } };
}
