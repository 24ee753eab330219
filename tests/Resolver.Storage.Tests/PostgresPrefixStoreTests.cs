using Resolver.Core.Prefixes;
using Resolver.Storage.Postgres;
using Resolver.Testing;

namespace Resolver.Storage.Tests;

public sealed class PostgresPrefixStoreTests(PostgresFixture postgres) : PrefixStoreContract, IAsyncDisposable
{
    private readonly List<PostgresDatabase> _databases = [];

    protected override async Task<IPrefixStore> CreateStoreAsync()
    {
        var database = new PostgresDatabase(await postgres.Server.CreateSchemaAsync(TestContext.Current.CancellationToken));
        _databases.Add(database);
        await database.MigrateAsync(TestContext.Current.CancellationToken);
        return new PostgresPrefixStore(database);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}
