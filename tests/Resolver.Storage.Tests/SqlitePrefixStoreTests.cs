using Microsoft.Data.Sqlite;
using Resolver.Core.Prefixes;
using Resolver.Storage.Sqlite;

namespace Resolver.Storage.Tests;

public sealed class SqlitePrefixStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-sqlite-").FullName;

    [Fact]
    public async Task Add_SamePrefixTwice_KeepsTheFirstAndReportsNotCreated()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = new SqliteDatabase(Path.Combine(_directory, "resolver.db"));
        await database.MigrateAsync(ct);
        var store = new SqlitePrefixStore(database);
        var first = new PrefixEntry("88.168.1", PrefixKind.Homed, [], new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var (_, created) = await store.AddAsync(first, ct);
        var (existing, createdAgain) = await store.AddAsync(first with { CreatedAt = first.CreatedAt.AddDays(1) }, ct);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first.CreatedAt, existing.CreatedAt);
        Assert.Equal(["88.168.1"], (await store.ListAsync(ct)).Select(e => e.Prefix));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
