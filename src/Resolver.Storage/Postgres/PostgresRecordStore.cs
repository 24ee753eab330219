using Npgsql;
using NpgsqlTypes;
using Resolver.Core.Records;
using Resolver.Core.Storage;

namespace Resolver.Storage.Postgres;

/// <summary>Records in PostgreSQL. A batch read is one <c>= ANY($1)</c> query; writes are compare-and-set transactions.</summary>
public sealed class PostgresRecordStore(PostgresDatabase database) : IRecordStore
{
    private const string Columns = "key, identifier, version, vals::text, created_at, updated_at, deleted_at";

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
            await using var command = database.DataSource.CreateCommand($"SELECT {Columns} FROM records WHERE key = ANY($1)");
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. keys] });
            var rows = new List<HandleRecord>(keys.Count);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(Read(reader));
            }

            return RecordRows.AlignTo(keys, rows);
        }
        catch (NpgsqlException exception)
        {
            throw PostgresDatabase.Unavailable(exception);
        }
    }

    public async ValueTask<bool> TryWriteAsync(HandleRecord record, long? expectedVersion, ChangeOperation operation, string actor, CancellationToken cancellationToken) =>
        (await TryWriteManyAsync([new RecordWrite(record, expectedVersion, operation)], actor, cancellationToken).ConfigureAwait(false))[0];

    public async ValueTask<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<RecordWrite> writes, string actor, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

            // A compare-and-set that matches no row is not an error at READ COMMITTED: the others in the transaction stand.
            var stored = new bool[writes.Count];
            for (var i = 0; i < writes.Count; i++)
            {
                stored[i] = await WriteAsync(connection, transaction, writes[i], actor, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return stored;
        }
        catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected)
        {
            // Routine on CockroachDB and YugabyteDB under contention: lost races (the whole transaction), which the registry retries.
            return new bool[writes.Count];
        }
        catch (NpgsqlException exception)
        {
            throw PostgresDatabase.Unavailable(exception);
        }
    }

    // One compare-and-set write with its change log and audit rows, inside the caller's transaction; false when the CAS lost.
    private static async Task<bool> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RecordWrite change, string actor, CancellationToken cancellationToken)
    {
        var (record, expectedVersion, operation) = (change.Record, change.ExpectedVersion, change.Operation);

        // Both statements share $1–$7; the eighth is the prefix for an insert, the expected version for an update.
        var sql = expectedVersion is null
            ? "INSERT INTO records (key, identifier, version, vals, created_at, updated_at, deleted_at, prefix) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING"
            : "UPDATE records SET identifier = $2, version = $3, vals = $4::jsonb, created_at = $5, updated_at = $6, deleted_at = $7 WHERE key = $1 AND version = $8";
        await using (var write = new NpgsqlCommand(sql, connection, transaction))
        {
            write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = record.Key });
            write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = record.Identifier });
            write.Parameters.Add(new NpgsqlParameter<long> { TypedValue = record.Version });
            write.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ValueCodec.Encode(record.Values) });
            write.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = record.CreatedAt });
            write.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = record.UpdatedAt });
            write.Parameters.Add(new NpgsqlParameter { Value = record.DeletedAt is { } deleted ? deleted : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            write.Parameters.Add(expectedVersion is { } expected
                ? new NpgsqlParameter<long> { TypedValue = expected }
                : new NpgsqlParameter<string> { TypedValue = record.Prefix });

            if (await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }
        }

        await using (var log = new NpgsqlCommand("INSERT INTO changes (key, version, operation, at) VALUES ($1, $2, $3, $4)", connection, transaction))
        {
            log.Parameters.Add(new NpgsqlParameter<string> { TypedValue = record.Key });
            log.Parameters.Add(new NpgsqlParameter<long> { TypedValue = record.Version });
            log.Parameters.Add(new NpgsqlParameter<string> { TypedValue = operation.ToString().ToLowerInvariant() });
            log.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = record.UpdatedAt });
            await log.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var audit = new NpgsqlCommand("INSERT INTO audit (at, actor, operation, target, version_before, version_after, outcome) VALUES ($1, $2, $3, $4, $5, $6, 'OK')", connection, transaction))
        {
            audit.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = record.UpdatedAt });
            audit.Parameters.Add(new NpgsqlParameter<string> { TypedValue = actor });
            audit.Parameters.Add(new NpgsqlParameter<string> { TypedValue = operation.ToString().ToLowerInvariant() });
            audit.Parameters.Add(new NpgsqlParameter<string> { TypedValue = record.Identifier });
            audit.Parameters.Add(new NpgsqlParameter { Value = expectedVersion is { } before ? before : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            audit.Parameters.Add(new NpgsqlParameter<long> { TypedValue = record.Version });
            await audit.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public async ValueTask<IReadOnlyList<HandleRecord>> ListAsync(string prefix, string? afterKey, int limit, CancellationToken cancellationToken)
    {
        try
        {
            // "p." ≤ sub-prefix < "p/" in the "C" collation ('/' follows '.'), so the index serves both halves.
            await using var command = database.DataSource.CreateCommand($"""
                SELECT {Columns} FROM records
                WHERE (prefix = $1 OR (prefix >= $2 AND prefix < $3))
                  AND deleted_at IS NULL AND key > $4
                ORDER BY key LIMIT $5
                """);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix + "." });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix + "/" });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = afterKey ?? "" });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            var records = new List<HandleRecord>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                records.Add(Read(reader));
            }

            return records;
        }
        catch (NpgsqlException exception)
        {
            throw PostgresDatabase.Unavailable(exception);
        }
    }

    public async ValueTask PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = database.DataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            throw PostgresDatabase.Unavailable(exception);
        }
    }

    private static HandleRecord Read(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt64(2),
        ValueCodec.Decode(reader.GetString(3)),
        reader.GetFieldValue<DateTimeOffset>(4),
        reader.GetFieldValue<DateTimeOffset>(5),
        reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6));
}
