using System.Text.Json;
using Microsoft.Data.Sqlite;
using Resolver.Core.Records;
using Resolver.Core.Storage;

namespace Resolver.Storage.Sqlite;

/// <summary>Records in the embedded SQLite file. Batched reads are one query; writes are compare-and-set transactions.</summary>
public sealed class SqliteRecordStore(SqliteDatabase database) : IRecordStore
{
    private const string Columns = "key, identifier, version, vals, created_at, updated_at, deleted_at";

    public async ValueTask<HandleRecord?> GetAsync(string key, CancellationToken cancellationToken) =>
        (await GetManyAsync([key], cancellationToken).ConfigureAwait(false))[0];

    public async ValueTask<IReadOnlyList<HandleRecord?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();

            // One statement for the whole batch: the keys travel as one JSON array parameter.
            command.CommandText = $"SELECT {Columns} FROM records WHERE key IN (SELECT value FROM json_each($keys))";
            command.Parameters.AddWithValue("$keys", JsonSerializer.Serialize(keys, StorageJsonContext.Default.IReadOnlyListString));
            var rows = new List<HandleRecord>(keys.Count);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(Read(reader));
            }

            return RecordRows.AlignTo(keys, rows);
        }
        catch (SqliteException exception)
        {
            throw SqliteDatabase.Unavailable(exception);
        }
    }

    public async ValueTask<bool> TryWriteAsync(HandleRecord record, long? expectedVersion, ChangeOperation operation, string actor, CancellationToken cancellationToken) =>
        (await TryWriteManyAsync([new RecordWrite(record, expectedVersion, operation)], actor, cancellationToken).ConfigureAwait(false))[0];

    public async ValueTask<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<RecordWrite> writes, string actor, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);

            // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): the write lock is taken at once, so no other writer interleaves.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var stored = new bool[writes.Count];
            for (var i = 0; i < writes.Count; i++)
            {
                stored[i] = await WriteAsync(connection, transaction, writes[i], actor, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return stored;
        }
        catch (SqliteException exception)
        {
            throw SqliteDatabase.Unavailable(exception);
        }
    }

    // One compare-and-set write with its change log and audit rows, inside the caller's transaction; false when the CAS lost.
    private static async Task<bool> WriteAsync(SqliteConnection connection, SqliteTransaction transaction, RecordWrite change, string actor, CancellationToken cancellationToken)
    {
        var (record, expectedVersion, operation) = (change.Record, change.ExpectedVersion, change.Operation);
        await using var write = connection.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = expectedVersion is null
            ? $"INSERT INTO records (prefix, {Columns}) VALUES ($prefix, $key, $identifier, $version, $vals, $created_at, $updated_at, $deleted_at) ON CONFLICT (key) DO NOTHING"
            : """
              UPDATE records SET identifier = $identifier, version = $version, vals = $vals,
                     created_at = $created_at, updated_at = $updated_at, deleted_at = $deleted_at
              WHERE key = $key AND version = $expected
              """;
        write.Parameters.AddWithValue("$prefix", record.Prefix);
        write.Parameters.AddWithValue("$key", record.Key);
        write.Parameters.AddWithValue("$identifier", record.Identifier);
        write.Parameters.AddWithValue("$version", record.Version);
        write.Parameters.AddWithValue("$vals", ValueCodec.Encode(record.Values));
        write.Parameters.AddWithValue("$created_at", record.CreatedAt.UtcTicks);
        write.Parameters.AddWithValue("$updated_at", record.UpdatedAt.UtcTicks);
        write.Parameters.AddWithValue("$deleted_at", record.DeletedAt is { } deleted ? deleted.UtcTicks : DBNull.Value);
        write.Parameters.AddWithValue("$expected", expectedVersion ?? 0);
        if (await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return false;
        }

        await using var log = connection.CreateCommand();
        log.Transaction = transaction;
        log.CommandText = "INSERT INTO changes (key, version, operation, at) VALUES ($key, $version, $operation, $at)";
        log.Parameters.AddWithValue("$key", record.Key);
        log.Parameters.AddWithValue("$version", record.Version);
        log.Parameters.AddWithValue("$operation", operation.ToString().ToLowerInvariant());
        log.Parameters.AddWithValue("$at", record.UpdatedAt.UtcTicks);
        await log.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        await using var audit = connection.CreateCommand();
        audit.Transaction = transaction;
        audit.CommandText = "INSERT INTO audit (at, actor, operation, target, version_before, version_after, outcome) VALUES ($at, $actor, $operation, $target, $before, $after, 'OK')";
        audit.Parameters.AddWithValue("$at", record.UpdatedAt.UtcTicks);
        audit.Parameters.AddWithValue("$actor", actor);
        audit.Parameters.AddWithValue("$operation", operation.ToString().ToLowerInvariant());
        audit.Parameters.AddWithValue("$target", record.Identifier);
        audit.Parameters.AddWithValue("$before", expectedVersion is { } before ? before : DBNull.Value);
        audit.Parameters.AddWithValue("$after", record.Version);
        await audit.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async ValueTask<IReadOnlyList<HandleRecord>> ListAsync(string prefix, string? afterKey, int limit, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();

            // "p." ≤ sub-prefix < "p/" in binary order ('/' follows '.'), so the index serves both halves.
            command.CommandText = $"""
                SELECT {Columns} FROM records
                WHERE (prefix = $prefix OR (prefix >= $below AND prefix < $end))
                  AND deleted_at IS NULL AND key > $after
                ORDER BY key LIMIT $limit
                """;
            command.Parameters.AddWithValue("$prefix", prefix);
            command.Parameters.AddWithValue("$below", prefix + ".");
            command.Parameters.AddWithValue("$end", prefix + "/");
            command.Parameters.AddWithValue("$after", afterKey ?? "");
            command.Parameters.AddWithValue("$limit", limit);
            var records = new List<HandleRecord>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(Read(reader));
            }

            return records;
        }
        catch (SqliteException exception)
        {
            throw SqliteDatabase.Unavailable(exception);
        }
    }

    public async ValueTask PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM prefixes";
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException exception)
        {
            throw SqliteDatabase.Unavailable(exception);
        }
    }

    private static HandleRecord Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt64(2),
        ValueCodec.Decode(reader.GetString(3)),
        new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero),
        new DateTimeOffset(reader.GetInt64(5), TimeSpan.Zero),
        reader.IsDBNull(6) ? null : new DateTimeOffset(reader.GetInt64(6), TimeSpan.Zero));
}
