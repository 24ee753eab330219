using System.Data;
using System.Data.Common;
using System.Globalization;
using Resolver.Core.Storage;

namespace Resolver.Storage.Sql;

/// <summary>
/// The <c>changes</c> table, read by sequence number (its primary key). On PostgreSQL sequence numbers are handed out
/// when a transaction inserts and become visible when it commits, so a lower number can appear after a higher one:
/// <see cref="ChangeFeed"/> re-reads such gaps.
/// </summary>
public abstract class SqlChangeLog : IChangeLog
{
    // The node_settings row that remembers how far the log was pruned.
    private const string PrunedThroughSetting = "changes_pruned_through";

    private readonly SqlDatabase _database;
    private readonly SqlDialect _dialect;
    private readonly Func<DbDataReader, Change> _read;

    private protected SqlChangeLog(SqlDatabase database)
    {
        _database = database;
        _dialect = database.Dialect;
        _read = Read;
    }

    public async ValueTask<long> LatestSequenceAsync(CancellationToken cancellationToken) =>
        await _database.RunAsync(async connection =>
        {
            await using var command = connection.Command("SELECT COALESCE(MAX(seq), 0) FROM changes");
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<Change>> ReadAsync(long afterSequence, long beforeSequence, int limit, CancellationToken cancellationToken) =>
        await _database.RunAsync<IReadOnlyList<Change>>(async connection =>
        {
            await using var command = connection.Command("SELECT seq, key, version, operation, at FROM changes WHERE seq > $1 AND seq < $2 ORDER BY seq LIMIT $3");
            _dialect.AddInt64(command, afterSequence);
            _dialect.AddInt64(command, beforeSequence);
            _dialect.AddInt32(command, limit);
            return await command.ReadAllAsync(_read, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<long> PrunedThroughAsync(CancellationToken cancellationToken) =>
        await _database.RunAsync(async connection =>
        {
            await using var command = connection.Command($"SELECT CAST(value AS BIGINT) FROM node_settings WHERE name = '{PrunedThroughSetting}'");
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long through ? through : 0;
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<int> PruneAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        await _database.RunAsync(async connection =>
        {
            // One short transaction per call: SQLite writers wait for at most one batch of deletions; PostgreSQL takes row
            // locks only, and writers, which only append, are never blocked by it.
            await using var transaction = await _dialect.BeginAsync(connection, IsolationLevel.Unspecified, cancellationToken).ConfigureAwait(false);
            var (count, highest) = (0, 0L);

            // Only the oldest `limit` rows are looked at (by primary key), so a log with nothing to prune costs one short scan.
            await using (var delete = connection.Command(
                "DELETE FROM changes WHERE seq IN (SELECT seq FROM (SELECT seq, at FROM changes ORDER BY seq LIMIT $2) AS oldest WHERE at < $1) RETURNING seq",
                transaction))
            {
                _dialect.AddTime(delete, before);
                _dialect.AddInt32(delete, limit);
                await using var reader = await delete.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    count++;
                    highest = Math.Max(highest, reader.GetInt64(0));
                }
            }

            if (count > 0)
            {
                // The mark only moves forward: a replica that pruned less (its clock behind) leaves it where it is.
                await using var mark = connection.Command($"""
                    INSERT INTO node_settings (name, value) VALUES ('{PrunedThroughSetting}', $1)
                    ON CONFLICT (name) DO UPDATE SET value = CASE
                        WHEN CAST(node_settings.value AS BIGINT) > CAST(excluded.value AS BIGINT) THEN node_settings.value
                        ELSE excluded.value END
                    """, transaction);
                _dialect.AddText(mark, highest.ToString(CultureInfo.InvariantCulture));
                await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return count;
        }, cancellationToken).ConfigureAwait(false);

    private Change Read(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetInt64(2),
        ChangeOperations.Parse(reader.GetString(3)),
        _dialect.ReadTime(reader, 4));
}
