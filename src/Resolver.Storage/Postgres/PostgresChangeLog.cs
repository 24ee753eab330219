using Npgsql;
using Resolver.Core.Storage;

namespace Resolver.Storage.Postgres;

/// <summary>
/// The <c>changes</c> table in PostgreSQL, read by sequence number (its primary key). Sequence numbers
/// are handed out when a transaction inserts and become visible when it commits, so a lower number can
/// appear after a higher one: <see cref="ChangeFeed"/> re-reads such gaps.
/// </summary>
public sealed class PostgresChangeLog(PostgresDatabase database) : IChangeLog
{
    public async ValueTask<long> LatestSequenceAsync(CancellationToken cancellationToken) =>
        await database.RunAsync(async source =>
        {
            await using var command = source.CreateCommand("SELECT COALESCE(MAX(seq), 0) FROM changes");
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<Change>> ReadAsync(long afterSequence, long beforeSequence, int limit, CancellationToken cancellationToken) =>
        await database.RunAsync<IReadOnlyList<Change>>(async source =>
        {
            await using var command = source.CreateCommand("SELECT seq, key, version, operation, at FROM changes WHERE seq > $1 AND seq < $2 ORDER BY seq LIMIT $3");
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSequence });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = beforeSequence });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            var changes = new List<Change>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                changes.Add(new Change(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetInt64(2),
                    ChangeOperations.Parse(reader.GetString(3)),
                    reader.GetFieldValue<DateTimeOffset>(4)));
            }

            return changes;
        }).ConfigureAwait(false);

    public async ValueTask<long> PrunedThroughAsync(CancellationToken cancellationToken) =>
        await database.RunAsync(async source =>
        {
            await using var command = source.CreateCommand($"SELECT value::bigint FROM node_settings WHERE name = '{PrunedThroughSetting}'");
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long through ? through : 0;
        }).ConfigureAwait(false);

    public async ValueTask<int> PruneAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        await database.RunAsync(async source =>
        {
            // One short transaction per call, row locks only: writers, which only append, are never blocked by it.
            await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var (count, highest) = (0, 0L);
            await using (var delete = new NpgsqlCommand(
                "DELETE FROM changes WHERE seq IN (SELECT seq FROM (SELECT seq, at FROM changes ORDER BY seq LIMIT $2) AS oldest WHERE at < $1) RETURNING seq",
                connection, transaction))
            {
                delete.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = before });
                delete.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
                await using var reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    count++;
                    highest = Math.Max(highest, reader.GetInt64(0));
                }
            }

            if (count > 0)
            {
                await using var mark = new NpgsqlCommand(
                    $"INSERT INTO node_settings (name, value) VALUES ('{PrunedThroughSetting}', $1) ON CONFLICT (name) DO UPDATE SET value = GREATEST(node_settings.value::bigint, EXCLUDED.value::bigint)::text",
                    connection, transaction);
                mark.Parameters.Add(new NpgsqlParameter<string> { TypedValue = highest.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return count;
        }).ConfigureAwait(false);

    // The node_settings row that remembers how far the log was pruned.
    private const string PrunedThroughSetting = "changes_pruned_through";
}
