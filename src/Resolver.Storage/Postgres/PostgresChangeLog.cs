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
}
