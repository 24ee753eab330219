using Npgsql;
using Resolver.Core.Prefixes;
using Resolver.Storage.Postgres;
using Resolver.Storage.Sqlite;
using Resolver.Testing;

namespace Resolver.Storage.Tests;

/// <summary>Schema migrations and pinned settings, on both stores.</summary>
public sealed class SchemaTests(PostgresFixture postgres) : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly string _sqliteDirectory = Directory.CreateTempSubdirectory("resolver-schema-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<PostgresDatabase> PostgresAsync()
    {
        var database = new PostgresDatabase(await postgres.Server.CreateSchemaAsync(Ct));
        _owned.Add(database);
        return database;
    }

    [Fact]
    public async Task PostgresMigrate_Twice_AppliesEveryStepOnceAlthoughSomeAreNotIdempotent()
    {
        var database = await PostgresAsync();

        await database.MigrateAsync(Ct);
        await database.MigrateAsync(Ct); // node_settings is created by a plain CREATE TABLE: a second run must skip it

        Assert.Equal([1, 2, 3, 4, 5], await LedgerAsync(database));
    }

    [Fact]
    public async Task PostgresMigrate_ReplicasAtOnce_AllSucceedAndEachStepIsRecordedOnce()
    {
        var connection = await postgres.Server.CreateSchemaAsync(Ct);
        var replicas = Enumerable.Range(0, 3).Select(_ => new PostgresDatabase(connection)).ToList();
        _owned.AddRange(replicas);

        await Task.WhenAll(replicas.Select(r => r.MigrateAsync(Ct)));

        Assert.Equal([1, 2, 3, 4, 5], await LedgerAsync(replicas[0]));
    }

    [Fact]
    public async Task PostgresPin_SecondValue_ReturnsTheFirst()
    {
        var database = await PostgresAsync();
        await database.MigrateAsync(Ct);

        Assert.Equal("insensitive", await database.PinAsync("suffix-case", "insensitive", Ct));
        Assert.Equal("insensitive", await database.PinAsync("suffix-case", "sensitive", Ct));
    }

    [Fact]
    public async Task SqlitePin_SecondValue_ReturnsTheFirstAcrossReopening()
    {
        var path = Path.Combine(_sqliteDirectory, "pin.db");
        var first = new SqliteDatabase(path);
        await first.MigrateAsync(Ct);
        await first.PinAsync("suffix-case", "sensitive", Ct);

        var reopened = new SqliteDatabase(path);
        await reopened.MigrateAsync(Ct);

        Assert.Equal("sensitive", await reopened.PinAsync("suffix-case", "insensitive", Ct));
    }

    [Fact]
    public async Task PostgresMigrate_FromBeforeTheTtlColumn_GivesExistingPrefixesTheDefaultTtl()
    {
        var database = await PostgresAsync();
        await database.MigrateAsync(Ct);
        await PostgresExecuteAsync(database, """
            ALTER TABLE prefixes DROP COLUMN ttl;
            DROP INDEX api_keys_by_enterprise;
            DELETE FROM schema_migrations WHERE version >= 4;
            INSERT INTO prefixes (prefix, kind, endpoints, created_at) VALUES ('88.168.1', 1, '[]', now()), ('88.168.2', 2, '["https://a.example:5443"]', now());
            """);

        await database.MigrateAsync(Ct);

        Assert.Equal([PrefixEntry.DefaultTtl, PrefixEntry.DefaultTtl], (await new PostgresPrefixStore(database).ListAsync(Ct)).Select(e => e.Ttl));
        Assert.Equal([1, 2, 3, 4, 5], await LedgerAsync(database));
    }

    [Fact]
    public async Task SqliteMigrate_FromBeforeTheTtlColumn_GivesExistingPrefixesTheDefaultTtl()
    {
        var database = new SqliteDatabase(Path.Combine(_sqliteDirectory, "ttl.db"));
        await database.MigrateAsync(Ct);
        await using (var connection = await database.OpenAsync(Ct))
        await using (var downgrade = connection.CreateCommand())
        {
            // A file at schema version 3, as the release before delegations had TTLs left it.
            downgrade.CommandText = """
                ALTER TABLE prefixes DROP COLUMN ttl;
                DROP INDEX api_keys_by_enterprise;
                PRAGMA user_version = 3;
                INSERT INTO prefixes (prefix, kind, endpoints, created_at) VALUES ('88.168.1', 1, '[]', 0), ('88.168.2', 2, '["https://a.example:5443"]', 0);
                """;
            await downgrade.ExecuteNonQueryAsync(Ct);
        }

        await database.MigrateAsync(Ct);

        Assert.Equal([PrefixEntry.DefaultTtl, PrefixEntry.DefaultTtl], (await new SqlitePrefixStore(database).ListAsync(Ct)).Select(e => e.Ttl));
    }

    [Fact]
    public async Task SqliteListKeys_ReadsOneEnterprisesKeysByItsIndex()
    {
        var database = new SqliteDatabase(Path.Combine(_sqliteDirectory, "keys.db"));
        await database.MigrateAsync(Ct);
        await using var connection = await database.OpenAsync(Ct);
        await using var plan = connection.CreateCommand();
        plan.CommandText = "EXPLAIN QUERY PLAN " + Resolver.Storage.Sql.SqlAccessStore.ListKeysSql(includeRevoked: false, after: true);
        var steps = new List<string>();
        await using (var reader = await plan.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                steps.Add(reader.GetString(3));
            }
        }

        Assert.Contains(steps, step => step.Contains("USING INDEX api_keys_by_enterprise", StringComparison.Ordinal));
    }

    private static async Task PostgresExecuteAsync(PostgresDatabase database, string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<List<int>> LedgerAsync(PostgresDatabase database)
    {
        await using var command = database.DataSource.CreateCommand("SELECT version FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var versions = new List<int>();
        while (await reader.ReadAsync(Ct))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_sqliteDirectory, recursive: true);
    }
}
