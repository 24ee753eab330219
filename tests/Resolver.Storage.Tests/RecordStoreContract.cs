using Resolver.Core.Records;
using Resolver.Core.Storage;

namespace Resolver.Storage.Tests;

/// <summary>What every record store must do; each store's test class derives from this and supplies a fresh, empty store.</summary>
public abstract class RecordStoreContract
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);

    protected abstract Task<IRecordStore> CreateStoreAsync();

    protected static HandleRecord Record(string key, long version = 1, params HandleValue[] values) =>
        new(key, key.ToUpperInvariant(), version, values, At, At.AddMinutes(version));

    protected static HandleValue Text(int index, string type, string text) =>
        new(index, type, ValueData.FromText(text), 300, At, ValuePermissions.Default, []);

    [Fact]
    public async Task Get_MissingKey_IsNull()
    {
        var store = await CreateStoreAsync();
        Assert.Null(await store.GetAsync("88.1/missing", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TryWrite_NewRecord_ReadsBackExactly()
    {
        var store = await CreateStoreAsync();
        var record = Record("88.1/a", 1,
            Text(1, "URL", "https://example.com/a?b=c"),
            new HandleValue(2, "blob", ValueData.FromBytes([0, 1, 255]), 0, At.AddTicks(10), ValuePermissions.AdminRead | ValuePermissions.AdminWrite, [new ValueReference("88.1/b", 3)]),
            Text(3, "名称", "产品 ✓"));

        Assert.True(await store.TryWriteAsync(record, null, ChangeOperation.Create, "test", TestContext.Current.CancellationToken));

        var read = await store.GetAsync("88.1/a", TestContext.Current.CancellationToken);
        Assert.NotNull(read);
        Assert.Equal(record.Identifier, read.Identifier);
        Assert.Equal(record.Version, read.Version);
        Assert.Equal(record.CreatedAt, read.CreatedAt);
        Assert.Equal(record.UpdatedAt, read.UpdatedAt);
        Assert.Null(read.DeletedAt);
        Assert.Equal(record.Values, read.Values, ValueComparer.Instance);
    }

    [Fact]
    public async Task TryWrite_InsertOverExistingKey_ReturnsFalseAndKeepsTheFirst()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.Current.CancellationToken;
        Assert.True(await store.TryWriteAsync(Record("88.1/a", 1, Text(1, "URL", "first")), null, ChangeOperation.Create, "test", ct));

        Assert.False(await store.TryWriteAsync(Record("88.1/a", 1, Text(1, "URL", "second")), null, ChangeOperation.Create, "test", ct));

        Assert.Equal("first", (await store.GetAsync("88.1/a", ct))!.Values[0].Data.Text);
    }

    [Fact]
    public async Task TryWrite_WithStaleExpectedVersion_ReturnsFalseAndChangesNothing()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.Current.CancellationToken;
        await store.TryWriteAsync(Record("88.1/a", 1, Text(1, "URL", "v1")), null, ChangeOperation.Create, "test", ct);
        Assert.True(await store.TryWriteAsync(Record("88.1/a", 2, Text(1, "URL", "v2")), 1, ChangeOperation.Update, "test", ct));

        Assert.False(await store.TryWriteAsync(Record("88.1/a", 2, Text(1, "URL", "lost")), 1, ChangeOperation.Update, "test", ct));

        var read = await store.GetAsync("88.1/a", ct);
        Assert.Equal(2, read!.Version);
        Assert.Equal("v2", read.Values[0].Data.Text);
    }

    [Fact]
    public async Task TryWrite_Tombstone_IsReadBackAsDeleted()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.Current.CancellationToken;
        await store.TryWriteAsync(Record("88.1/a", 1, Text(1, "URL", "v1")), null, ChangeOperation.Create, "test", ct);
        var tombstone = Record("88.1/a", 2) with { DeletedAt = At.AddHours(1) };

        Assert.True(await store.TryWriteAsync(tombstone, 1, ChangeOperation.Delete, "test", ct));

        var read = await store.GetAsync("88.1/a", ct);
        Assert.True(read!.IsDeleted);
        Assert.Equal(At.AddHours(1), read.DeletedAt);
        Assert.Empty(read.Values);
    }

    [Fact]
    public async Task GetMany_AnswersAlignedWithKeys_DuplicatesAndMissingIncluded()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.Current.CancellationToken;
        await store.TryWriteAsync(Record("88.1/a"), null, ChangeOperation.Create, "test", ct);
        await store.TryWriteAsync(Record("88.1/b"), null, ChangeOperation.Create, "test", ct);

        var found = await store.GetManyAsync(["88.1/b", "88.1/missing", "88.1/a", "88.1/b"], ct);

        Assert.Equal(["88.1/b", null, "88.1/a", "88.1/b"], found.Select(r => r?.Key));
    }

    [Fact]
    public async Task List_PrefixIncludesSubPrefixesButNotSiblingsOrTombstones()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.Current.CancellationToken;
        foreach (var key in new[] { "88.168/a", "88.168.1/b", "88.168.1.9/c", "88.1681/d", "88.16/e", "88.168_x/f" })
        {
            await store.TryWriteAsync(Record(key), null, ChangeOperation.Create, "test", ct);
        }

        await store.TryWriteAsync(Record("88.168/z", 1), null, ChangeOperation.Create, "test", ct);
        await store.TryWriteAsync(Record("88.168/z", 2) with { DeletedAt = At }, 1, ChangeOperation.Delete, "test", ct);

        var listed = await store.ListAsync("88.168", null, 100, ct);

        Assert.Equal(["88.168.1.9/c", "88.168.1/b", "88.168/a"], listed.Select(r => r.Key));
    }

    [Fact]
    public async Task List_AfterKey_PagesInKeyOrder()
    {
        var store = await CreateStoreAsync();
        var ct = TestContext.Current.CancellationToken;
        foreach (var i in Enumerable.Range(0, 5))
        {
            await store.TryWriteAsync(Record($"88.1/{i}"), null, ChangeOperation.Create, "test", ct);
        }

        var first = await store.ListAsync("88.1", null, 2, ct);
        var second = await store.ListAsync("88.1", first[^1].Key, 2, ct);
        var third = await store.ListAsync("88.1", second[^1].Key, 2, ct);

        Assert.Equal(["88.1/0", "88.1/1", "88.1/2", "88.1/3", "88.1/4"], first.Concat(second).Concat(third).Select(r => r.Key));
    }

    [Fact]
    public async Task Ping_HealthyStore_Succeeds()
    {
        var store = await CreateStoreAsync();
        await store.PingAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Compares values field by field (payload bytes included).</summary>
    private sealed class ValueComparer : IEqualityComparer<HandleValue>
    {
        public static readonly ValueComparer Instance = new();

        public bool Equals(HandleValue? x, HandleValue? y) =>
            x is not null && y is not null &&
            x.Index == y.Index && x.Type == y.Type && x.Data.Equals(y.Data) && x.Ttl == y.Ttl &&
            x.Timestamp == y.Timestamp && x.Permissions == y.Permissions && x.References.SequenceEqual(y.References);

        public int GetHashCode(HandleValue obj) => obj.Index;
    }
}
