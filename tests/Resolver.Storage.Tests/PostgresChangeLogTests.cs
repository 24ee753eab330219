using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Resolver.Core.Storage;
using Resolver.Storage.Postgres;
using Resolver.Testing;

namespace Resolver.Storage.Tests;

public sealed class PostgresChangeLogTests(PostgresFixture postgres) : ChangeLogContract, IAsyncDisposable
{
    private readonly List<PostgresDatabase> _databases = [];
    private string? _connectionString;

    protected override async Task<(IRecordStore Records, IChangeLog Changes)> CreateAsync()
    {
        _connectionString ??= await postgres.Server.CreateSchemaAsync(Ct);
        var database = new PostgresDatabase(_connectionString);
        _databases.Add(database);
        await database.MigrateAsync(Ct);
        return (new PostgresRecordStore(database), new PostgresChangeLog(database));
    }

    [Fact]
    public async Task Feed_LowerSequenceCommitsAfterAHigherOneWasRead_DeliversItOnTheNextRead()
    {
        var (_, changes) = await CreateAsync();
        var received = new List<Change>();
        using var feed = new ChangeFeed(changes, [new Recorder(received)], new ChangeFeedOptions(), new FakeTimeProvider(DateTimeOffset.UtcNow), NullLogger<ChangeFeed>.Instance);
        await feed.PollAsync(Ct); // the feed starts where the (empty) log stands

        // The slow transaction takes its sequence number first and commits last.
        await using var slow = await OpenAsync();
        await using var slowTransaction = await slow.BeginTransactionAsync(Ct);
        await InsertChangeAsync(slow, slowTransaction, "88.1/slow");
        await using var fast = await OpenAsync();
        await using (var fastTransaction = await fast.BeginTransactionAsync(Ct))
        {
            await InsertChangeAsync(fast, fastTransaction, "88.1/fast");
            await fastTransaction.CommitAsync(Ct);
        }

        await feed.PollAsync(Ct);
        var beforeSlowCommit = received.Select(c => c.Key).ToList();
        var gapsBeforeSlowCommit = feed.OpenGaps;
        await slowTransaction.CommitAsync(Ct);
        await feed.PollAsync(Ct);
        await feed.PollAsync(Ct);

        Assert.Equal(["88.1/fast"], beforeSlowCommit);
        Assert.Single(gapsBeforeSlowCommit);
        Assert.Equal(["88.1/fast", "88.1/slow"], received.Select(c => c.Key));
        Assert.Empty(feed.OpenGaps);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        return connection;
    }

    private static async Task InsertChangeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string key)
    {
        await using var insert = new NpgsqlCommand("INSERT INTO changes (key, version, operation, at) VALUES ($1, 1, 'create', now())", connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        await insert.ExecuteNonQueryAsync(Ct);
    }

    private sealed class Recorder(List<Change> received) : IChangeSubscriber
    {
        public void OnChanges(IReadOnlyList<Change> changes) => received.AddRange(changes);
    }
}
