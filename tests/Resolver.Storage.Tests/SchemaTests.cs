using Npgsql;
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

        Assert.Equal([1, 2, 3], await LedgerAsync(database));
    }

    [Fact]
    public async Task PostgresMigrate_ReplicasAtOnce_AllSucceedAndEachStepIsRecordedOnce()
    {
        var connection = await postgres.Server.CreateSchemaAsync(Ct);
        var replicas = Enumerable.Range(0, 3).Select(_ => new PostgresDatabase(connection)).ToList();
        _owned.AddRange(replicas);

        await Task.WhenAll(replicas.Select(r => r.MigrateAsync(Ct)));

        Assert.Equal([1, 2, 3], await LedgerAsync(replicas[0]));
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
