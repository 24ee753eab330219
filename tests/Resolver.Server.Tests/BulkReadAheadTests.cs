using Resolver.Protocol.V1;
using Resolver.Server.Api;

namespace Resolver.Server.Tests;

/// <summary>BulkUpsert's read-ahead and chunks, bounded in bytes as well as records (issue 25 item 7), without I/O.</summary>
public sealed class BulkReadAheadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static UpsertRecordRequest Record(string identifier, int dataBytes)
    {
        var request = new UpsertRecordRequest { Identifier = identifier };
        request.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = new string('x', dataBytes) } });
        return request;
    }

    private static async Task<List<string[]>> ChunksAsync(BulkReadAhead buffer)
    {
        var chunks = new List<string[]>();
        var chunk = new List<UpsertRecordRequest>();
        while (await buffer.TakeChunkAsync(chunk, Ct))
        {
            chunks.Add([.. chunk.Select(r => r.Identifier)]);
        }

        return chunks;
    }

    [Fact]
    public async Task TakeChunk_LargeRecordsAllArrived_ChunkEndsAtTheByteBoundAndEveryRecordComesOnceInOrder()
    {
        var records = Enumerable.Range(0, 7).Select(i => Record($"88.1/R{i}", 400)).ToArray();
        var size = records[0].CalculateSize();
        var buffer = new BulkReadAhead(maxChunkRecords: 500, maxChunkBytes: (3 * size) + (size / 2), maxBufferedBytes: long.MaxValue);
        foreach (var record in records)
        {
            await buffer.AddAsync(record, Ct);
        }

        buffer.Complete();

        var chunks = await ChunksAsync(buffer);

        Assert.Equal([["88.1/R0", "88.1/R1", "88.1/R2"], ["88.1/R3", "88.1/R4", "88.1/R5"], ["88.1/R6"]], chunks);
    }

    [Fact]
    public async Task TakeChunk_RecordLargerThanTheChunkBound_IsTakenAlone()
    {
        var buffer = new BulkReadAhead(maxChunkRecords: 500, maxChunkBytes: 1000, maxBufferedBytes: long.MaxValue);
        await buffer.AddAsync(Record("88.1/SMALL", 10), Ct);
        await buffer.AddAsync(Record("88.1/HUGE", 5000), Ct);
        await buffer.AddAsync(Record("88.1/AFTER", 10), Ct);
        buffer.Complete();

        var chunks = await ChunksAsync(buffer);

        Assert.Equal([["88.1/SMALL"], ["88.1/HUGE"], ["88.1/AFTER"]], chunks);
    }

    [Fact]
    public async Task TakeChunk_SmallRecords_ChunkStillEndsAtTheRecordBoundAndAtARepeatedIdentifier()
    {
        var buffer = new BulkReadAhead(maxChunkRecords: 2, maxChunkBytes: long.MaxValue, maxBufferedBytes: long.MaxValue);
        foreach (var identifier in new[] { "88.1/A", "88.1/B", "88.1/C", "88.1/c", "88.1/D" })
        {
            await buffer.AddAsync(Record(identifier, 1), Ct);
        }

        buffer.Complete();

        Assert.Equal([["88.1/A", "88.1/B"], ["88.1/C"], ["88.1/c", "88.1/D"]], await ChunksAsync(buffer));
    }

    [Fact]
    public async Task Add_BufferHoldsTheByteBound_WaitsUntilAChunkIsTakenThenBuffersIt()
    {
        var record = Record("88.1/R0", 400);
        var size = record.CalculateSize();
        var buffer = new BulkReadAhead(maxChunkRecords: 1, maxChunkBytes: long.MaxValue, maxBufferedBytes: 2 * size);
        await buffer.AddAsync(record, Ct);
        await buffer.AddAsync(Record("88.1/R1", 400), Ct);

        var third = buffer.AddAsync(Record("88.1/R2", 400), Ct).AsTask();
        var heldWhileFull = buffer.BufferedNow;
        var waitedWhileFull = !third.IsCompleted;
        var chunk = new List<UpsertRecordRequest>();
        await buffer.TakeChunkAsync(chunk, Ct);
        await third;

        Assert.True(waitedWhileFull, "the reader must wait while the read-ahead holds its byte bound");
        Assert.Equal(2 * size, heldWhileFull);
        Assert.Equal(2 * size, buffer.BufferedNow);
        Assert.Equal("88.1/R0", Assert.Single(chunk).Identifier);
    }

    [Fact]
    public async Task Add_RecordLargerThanTheReadAheadBound_IsBufferedAloneSoItStillLands()
    {
        var buffer = new BulkReadAhead(maxChunkRecords: 500, maxChunkBytes: long.MaxValue, maxBufferedBytes: 100);
        await buffer.AddAsync(Record("88.1/HUGE", 5000), Ct);

        var next = buffer.AddAsync(Record("88.1/NEXT", 10), Ct).AsTask();
        var waited = !next.IsCompleted;
        var chunk = new List<UpsertRecordRequest>();
        await buffer.TakeChunkAsync(chunk, Ct);
        await next;
        buffer.Complete();

        Assert.True(waited);
        Assert.Equal("88.1/HUGE", Assert.Single(chunk).Identifier);
        Assert.Equal([["88.1/NEXT"]], await ChunksAsync(buffer));
    }

    [Fact]
    public async Task TakeChunk_StreamFailedAfterSomeRecords_GivesThemThenTheFailure()
    {
        var buffer = new BulkReadAhead(maxChunkRecords: 500, maxChunkBytes: long.MaxValue, maxBufferedBytes: long.MaxValue);
        await buffer.AddAsync(Record("88.1/A", 1), Ct);
        buffer.Complete(new IOException("the client went away"));
        var chunk = new List<UpsertRecordRequest>();

        Assert.True(await buffer.TakeChunkAsync(chunk, Ct));
        Assert.Equal("88.1/A", Assert.Single(chunk).Identifier);
        await Assert.ThrowsAsync<IOException>(() => buffer.TakeChunkAsync(chunk, Ct).AsTask());
    }
}
