using Microsoft.Data.Sqlite;
using Resolver.Core.Prefixes;
using Resolver.Storage.Sqlite;

namespace Resolver.Storage.Tests;

public sealed class SqlitePrefixStoreTests : PrefixStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-sqlite-").FullName;
    private int _databases;

    protected override async Task<IPrefixStore> CreateStoreAsync()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, $"resolver-{_databases++}.db"));
        await database.MigrateAsync(TestContext.Current.CancellationToken);
        return new SqlitePrefixStore(database);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
