using Npgsql;
using Resolver.Core.Errors;
using Resolver.Core.Storage;
using Resolver.Storage.Postgres;
using Resolver.Testing;

namespace Resolver.Storage.Tests;

public sealed class PostgresRecordStoreTests(PostgresFixture postgres) : RecordStoreContract, IAsyncDisposable
{
    private readonly List<PostgresDatabase> _databases = [];
    private string? _connectionString;

    protected override async Task<IRecordStore> CreateStoreAsync()
    {
        _connectionString ??= await postgres.Server.CreateSchemaAsync(TestContext.Current.CancellationToken);
        var database = new PostgresDatabase(_connectionString);
        _databases.Add(database);
        await database.MigrateAsync(TestContext.Current.CancellationToken);
        return new PostgresRecordStore(database);
    }

    [Fact]
    public async Task TryWrite_Committed_AppendsToTheChangeLogInOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = await CreateStoreAsync();
        await store.TryWriteAsync(Record("88.1/a", 1), null, ChangeOperation.Create, "test", ct);
        await store.TryWriteAsync(Record("88.1/a", 2), 1, ChangeOperation.Update, "test", ct);
        await store.TryWriteAsync(Record("88.1/a", 2), 1, ChangeOperation.Update, "test", ct); // lost: not logged

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT key || ' ' || version || ' ' || operation FROM changes ORDER BY seq", connection);
        var log = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            log.Add(reader.GetString(0));
        }

        Assert.Equal(["88.1/a 1 create", "88.1/a 2 update"], log);
    }

    [Fact]
    public async Task Migrate_ConcurrentReplicas_BothSucceed()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await postgres.Server.CreateSchemaAsync(ct);
        await using var first = new PostgresDatabase(connectionString);
        await using var second = new PostgresDatabase(connectionString);

        await Task.WhenAll(first.MigrateAsync(ct), second.MigrateAsync(ct));

        await new PostgresRecordStore(first).PingAsync(ct);
    }

    [Fact]
    public async Task AnyCall_DatabaseUnreachable_IsUnavailableWithinTheConnectTimeout()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = new PostgresDatabase($"Host=127.0.0.1;Port={FreePort.Next()};Username=postgres");
        var store = new PostgresRecordStore(database);

        var exception = await Assert.ThrowsAsync<ResolverException>(async () => await store.GetAsync("88.1/a", ct));

        Assert.Equal(ErrorKind.Unavailable, exception.Problem.Kind);
        Assert.DoesNotContain("127.0.0.1", exception.Problem.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(exception.InnerException);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}
