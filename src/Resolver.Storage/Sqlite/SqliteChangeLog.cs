using Microsoft.Data.Sqlite;
using Resolver.Core.Storage;

namespace Resolver.Storage.Sqlite;

/// <summary>The <c>changes</c> table of the SQLite file, read by sequence number (its primary key).</summary>
public sealed class SqliteChangeLog(SqliteDatabase database) : IChangeLog
{
    public async ValueTask<long> LatestSequenceAsync(CancellationToken cancellationToken) =>
        await database.RunAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM changes";
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<Change>> ReadAsync(long afterSequence, long beforeSequence, int limit, CancellationToken cancellationToken) =>
        await database.RunAsync<IReadOnlyList<Change>>(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT seq, key, version, operation, at FROM changes WHERE seq > $after AND seq < $before ORDER BY seq LIMIT $limit";
            command.Parameters.AddWithValue("$after", afterSequence);
            command.Parameters.AddWithValue("$before", beforeSequence);
            command.Parameters.AddWithValue("$limit", limit);
            var changes = new List<Change>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                changes.Add(new Change(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetInt64(2),
                    ChangeOperations.Parse(reader.GetString(3)),
                    new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero)));
            }

            return changes;
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<long> PrunedThroughAsync(CancellationToken cancellationToken) =>
        await database.RunAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT CAST(value AS INTEGER) FROM node_settings WHERE name = '{PrunedThroughSetting}'";
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long through ? through : 0;
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<int> PruneAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        await database.RunAsync(async connection =>
        {
            // One short write transaction per call: writers wait for at most one batch of deletions.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var delete = connection.CreateCommand();
            delete.Transaction = transaction;

            // Only the oldest `limit` rows are looked at (by primary key), so a log with nothing to prune costs one short scan.
            delete.CommandText = """
                DELETE FROM changes WHERE seq IN (SELECT seq FROM (SELECT seq, at FROM changes ORDER BY seq LIMIT $limit) WHERE at < $before)
                RETURNING seq
                """;
            delete.Parameters.AddWithValue("$limit", limit);
            delete.Parameters.AddWithValue("$before", before.UtcTicks);
            var (count, highest) = (0, 0L);
            await using (var reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    count++;
                    highest = Math.Max(highest, reader.GetInt64(0));
                }
            }

            if (count > 0)
            {
                await using var mark = connection.CreateCommand();
                mark.Transaction = transaction;
                mark.CommandText = $"""
                    INSERT INTO node_settings (name, value) VALUES ('{PrunedThroughSetting}', $through)
                    ON CONFLICT (name) DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))
                    """;
                mark.Parameters.AddWithValue("$through", highest);
                await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return count;
        }, cancellationToken).ConfigureAwait(false);

    // The node_settings row that remembers how far the log was pruned.
    private const string PrunedThroughSetting = "changes_pruned_through";
}
