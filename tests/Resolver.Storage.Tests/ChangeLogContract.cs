using Resolver.Core.Records;
using Resolver.Core.Storage;

namespace Resolver.Storage.Tests;

/// <summary>What every store's change log must do; each store's test class supplies a fresh, empty store and its log.</summary>
public abstract class ChangeLogContract
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<(IRecordStore Records, IChangeLog Changes)> CreateAsync();

    protected static HandleRecord Record(string key, long version) =>
        new(key, key.ToUpperInvariant(), version, [], At, At.AddMinutes(version));

    [Fact]
    public async Task LatestSequence_EmptyLog_IsZero()
    {
        var (_, changes) = await CreateAsync();

        Assert.Equal(0, await changes.LatestSequenceAsync(Ct));
    }

    [Fact]
    public async Task Read_AfterCommittedWrites_ReturnsThemInSequenceOrderWithKeyVersionAndOperation()
    {
        var (records, changes) = await CreateAsync();
        await records.TryWriteAsync(Record("88.1/a", 1), null, ChangeOperation.Create, "test", Ct);
        await records.TryWriteAsync(Record("88.1/b", 1), null, ChangeOperation.Create, "test", Ct);
        await records.TryWriteAsync(Record("88.1/a", 2), 1, ChangeOperation.Update, "test", Ct);
        await records.TryWriteAsync(Record("88.1/a", 3) with { DeletedAt = At }, 2, ChangeOperation.Delete, "test", Ct);

        var read = await changes.ReadAsync(0, long.MaxValue, 100, Ct);

        Assert.Equal(
            [("88.1/a", 1L, ChangeOperation.Create), ("88.1/b", 1L, ChangeOperation.Create), ("88.1/a", 2L, ChangeOperation.Update), ("88.1/a", 3L, ChangeOperation.Delete)],
            read.Select(c => (c.Key, c.Version, c.Operation)));
        Assert.True(read.Zip(read.Skip(1)).All(pair => pair.First.Sequence < pair.Second.Sequence));
        Assert.Equal(At.AddMinutes(2), read[2].At);
        Assert.Equal(read[^1].Sequence, await changes.LatestSequenceAsync(Ct));
    }

    [Fact]
    public async Task Read_AfterAndBeforeSequence_ExcludesBothEndsAndHonoursTheLimit()
    {
        var (records, changes) = await CreateAsync();
        for (var i = 0; i < 6; i++)
        {
            await records.TryWriteAsync(Record($"88.1/{i}", 1), null, ChangeOperation.Create, "test", Ct);
        }

        var all = await changes.ReadAsync(0, long.MaxValue, 100, Ct);

        var window = await changes.ReadAsync(all[0].Sequence, all[4].Sequence, 100, Ct);
        var page = await changes.ReadAsync(all[0].Sequence, long.MaxValue, 2, Ct);
        var past = await changes.ReadAsync(all[^1].Sequence, long.MaxValue, 100, Ct);

        Assert.Equal(["88.1/1", "88.1/2", "88.1/3"], window.Select(c => c.Key));
        Assert.Equal(["88.1/1", "88.1/2"], page.Select(c => c.Key));
        Assert.Empty(past);
    }

    [Fact]
    public async Task Read_LostCompareAndSet_IsNotLogged()
    {
        var (records, changes) = await CreateAsync();
        await records.TryWriteAsync(Record("88.1/a", 1), null, ChangeOperation.Create, "test", Ct);
        await records.TryWriteAsync(Record("88.1/a", 2), 5, ChangeOperation.Update, "test", Ct);

        var read = await changes.ReadAsync(0, long.MaxValue, 100, Ct);

        Assert.Equal([1L], read.Select(c => c.Version));
    }

    [Fact]
    public async Task TryWriteMany_OneTransaction_StoresTheWinnersLogsEachAndSkipsTheLostCompareAndSet()
    {
        var (records, changes) = await CreateAsync();
        await records.TryWriteAsync(Record("88.1/a", 1), null, ChangeOperation.Create, "test", Ct);

        var stored = await records.TryWriteManyAsync(
            [
                new RecordWrite(Record("88.1/a", 2), 1, ChangeOperation.Update),
                new RecordWrite(Record("88.1/b", 1), null, ChangeOperation.Create),
                new RecordWrite(Record("88.1/a", 9), 7, ChangeOperation.Update),  // lost: a is at 1 (then 2), never 7
                new RecordWrite(Record("88.1/c", 1), null, ChangeOperation.Create),
            ], "bulk", Ct);

        Assert.Equal([true, true, false, true], stored);
        Assert.Equal(2, (await records.GetAsync("88.1/a", Ct))!.Version);
        Assert.Equal(
            [("88.1/a", 1L), ("88.1/a", 2L), ("88.1/b", 1L), ("88.1/c", 1L)],
            (await changes.ReadAsync(0, long.MaxValue, 100, Ct)).Select(c => (c.Key, c.Version)));
    }

    [Fact]
    public async Task Prune_ChangesBeforeACutoff_DeletesOnlyThoseInBatchesAndRaisesPrunedThrough()
    {
        var (records, changes) = await CreateAsync();
        for (var i = 1; i <= 5; i++)
        {
            await records.TryWriteAsync(Record($"88.1/{i}", 1) with { UpdatedAt = At.AddHours(i) }, null, ChangeOperation.Create, "test", Ct);
        }

        var all = await changes.ReadAsync(0, long.MaxValue, 100, Ct);
        Assert.Equal(0, await changes.PrunedThroughAsync(Ct));

        var first = await changes.PruneAsync(At.AddHours(3.5), 2, Ct);   // the oldest two of the three before the cutoff
        var second = await changes.PruneAsync(At.AddHours(3.5), 2, Ct);  // the third
        var third = await changes.PruneAsync(At.AddHours(3.5), 2, Ct);  // nothing left before the cutoff

        Assert.Equal((2, 1, 0), (first, second, third));
        Assert.Equal(all[2].Sequence, await changes.PrunedThroughAsync(Ct));
        Assert.Equal(["88.1/4", "88.1/5"], (await changes.ReadAsync(0, long.MaxValue, 100, Ct)).Select(c => c.Key));
        Assert.Equal(all[^1].Sequence, await changes.LatestSequenceAsync(Ct));
    }
}
