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
}
