using Microsoft.Data.Sqlite;
using Resolver.Core.Storage;
using Resolver.Storage.Sqlite;

namespace Resolver.Storage.Tests;

public sealed class SqliteChangeLogTests : ChangeLogContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-sqlite-").FullName;

    protected override async Task<(IRecordStore Records, IChangeLog Changes)> CreateAsync()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, "resolver.db"));
        await database.MigrateAsync(Ct);
        return (new SqliteRecordStore(database), new SqliteChangeLog(database));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
