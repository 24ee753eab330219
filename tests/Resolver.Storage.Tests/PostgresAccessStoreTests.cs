using Resolver.Core.Prefixes;
using Resolver.Core.Security;
using Resolver.Storage.Postgres;
using Resolver.Testing;

namespace Resolver.Storage.Tests;

public sealed class PostgresAccessStoreTests(PostgresFixture postgres) : AccessStoreContract, IAsyncDisposable
{
    private readonly List<PostgresDatabase> _databases = [];

    protected override async Task<(IAccessStore Access, IPrefixStore Prefixes)> CreateStoresAsync()
    {
        var database = new PostgresDatabase(await postgres.Server.CreateSchemaAsync(TestContext.Current.CancellationToken));
        _databases.Add(database);
        await database.MigrateAsync(TestContext.Current.CancellationToken);
        return (new PostgresAccessStore(database), new PostgresPrefixStore(database));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}
