using Microsoft.Data.Sqlite;
using Resolver.Core.Storage;
using Resolver.Storage.Sqlite;

namespace Resolver.Storage.Tests;

public sealed class SqliteRecordStoreTests : RecordStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-sqlite-").FullName;

    protected override async Task<IRecordStore> CreateStoreAsync()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, "resolver.db"));
        await database.MigrateAsync(TestContext.Current.CancellationToken);
        return new SqliteRecordStore(database);
    }

    [Fact]
    public async Task TryWrite_Committed_AppendsToTheChangeLogInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = await CreateStoreAsync();
        await store.TryWriteAsync(Record("88.1/a", 1), null, ChangeOperation.Create, "test", ct);
        await store.TryWriteAsync(Record("88.1/a", 2), 1, ChangeOperation.Update, "test", ct);
        await store.TryWriteAsync(Record("88.1/a", 2), 1, ChangeOperation.Update, "test", ct); // lost: not logged

        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "resolver.db")}");
        await connection.OpenAsync(ct);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key || ' ' || version || ' ' || operation FROM changes ORDER BY seq";
        var log = new List<string>();
        using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            log.Add(reader.GetString(0));
        }

        Assert.Equal(["88.1/a 1 create", "88.1/a 2 update"], log);
    }

    [Fact]
    public async Task Migrate_ExistingFile_KeepsItsData()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = await CreateStoreAsync();
        await store.TryWriteAsync(Record("88.1/a"), null, ChangeOperation.Create, "test", ct);

        var reopened = await CreateStoreAsync();

        Assert.NotNull(await reopened.GetAsync("88.1/a", ct));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
