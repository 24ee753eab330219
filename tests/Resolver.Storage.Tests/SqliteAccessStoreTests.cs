using Microsoft.Data.Sqlite;
using Resolver.Core.Prefixes;
using Resolver.Core.Security;
using Resolver.Storage.Sqlite;

namespace Resolver.Storage.Tests;

public sealed class SqliteAccessStoreTests : AccessStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-sqlite-").FullName;

    protected override async Task<(IAccessStore Access, IPrefixStore Prefixes)> CreateStoresAsync()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, "resolver.db"));
        await database.MigrateAsync(TestContext.Current.CancellationToken);
        return (new SqliteAccessStore(database), new SqlitePrefixStore(database));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
