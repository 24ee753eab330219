using System.Data;
using System.Data.Common;
using Resolver.Core.Records;
using Resolver.Core.Storage;

namespace Resolver.Storage.Sql;

/// <summary>Records in a SQL database. A batch read is one query; writes are compare-and-set transactions.</summary>
public abstract class SqlRecordStore : IRecordStore
{
    // vals is JSON in the database; CAST reads it as its text on every engine.
    private const string Columns = "key, identifier, version, CAST(vals AS TEXT), created_at, updated_at, deleted_at";

    private readonly SqlDatabase _database;
    private readonly SqlDialect _dialect;
    private readonly Func<DbDataReader, HandleRecord> _read;
    private readonly string _getMany;
    private readonly string _insert;
    private readonly string _update;

    private protected SqlRecordStore(SqlDatabase database)
    {
        _database = database;
        _dialect = database.Dialect;
        _read = Read;

        // One statement for the whole batch: the keys travel as one list parameter.
        _getMany = $"SELECT {Columns} FROM records WHERE key {_dialect.AnyOf("$1")}";

        // Both statements share $1–$7; the eighth is the prefix for an insert, the expected version for an update.
        _insert = $"INSERT INTO records (key, identifier, version, vals, created_at, updated_at, deleted_at, prefix) VALUES ($1, $2, $3, {_dialect.Json("$4")}, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING";
        _update = $"UPDATE records SET identifier = $2, version = $3, vals = {_dialect.Json("$4")}, created_at = $5, updated_at = $6, deleted_at = $7 WHERE key = $1 AND version = $8";
    }

    public async ValueTask<HandleRecord?> GetAsync(string key, CancellationToken cancellationToken) =>
        (await GetManyAsync([key], cancellationToken).ConfigureAwait(false))[0];

    public async ValueTask<IReadOnlyList<HandleRecord?>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = connection.Command(_getMany);
            _dialect.AddTextList(command, keys);
            return RecordRows.AlignTo(keys, await command.ReadAllAsync(_read, cancellationToken, keys.Count).ConfigureAwait(false));
        }
        catch (DbException exception)
        {
            throw SqlDatabase.Unavailable(exception);
        }
    }

    public async ValueTask<bool> TryWriteAsync(HandleRecord record, long? expectedVersion, ChangeOperation operation, string actor, CancellationToken cancellationToken) =>
        (await TryWriteManyAsync([new RecordWrite(record, expectedVersion, operation)], actor, cancellationToken).ConfigureAwait(false))[0];

    public async ValueTask<IReadOnlyList<bool>> TryWriteManyAsync(IReadOnlyList<RecordWrite> writes, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // SQLite takes its write lock at once, so no other writer interleaves; on PostgreSQL a compare-and-set that
            // matches no row is not an error at READ COMMITTED: the others in the transaction stand.
            await using var transaction = await _dialect.BeginAsync(connection, IsolationLevel.Unspecified, cancellationToken).ConfigureAwait(false);
            var stored = new bool[writes.Count];
            for (var i = 0; i < writes.Count; i++)
            {
                stored[i] = await WriteAsync(connection, transaction, writes[i], actor, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return stored;
        }
        catch (DbException exception) when (_dialect.IsLostRace(exception))
        {
            // Routine on CockroachDB and YugabyteDB under contention: lost races (the whole transaction), which the registry retries.
            return new bool[writes.Count];
        }
        catch (DbException exception)
        {
            throw SqlDatabase.Unavailable(exception);
        }
    }

    // One compare-and-set write with its change log and audit rows, inside the caller's transaction; false when the CAS lost.
    private async Task<bool> WriteAsync(DbConnection connection, DbTransaction transaction, RecordWrite change, string actor, CancellationToken cancellationToken)
    {
        var (record, expectedVersion, operation) = (change.Record, change.ExpectedVersion, change.Operation);
        var operationName = operation.ToString().ToLowerInvariant();
        await using (var write = connection.Command(expectedVersion is null ? _insert : _update, transaction))
        {
            _dialect.AddText(write, record.Key);
            _dialect.AddText(write, record.Identifier);
            _dialect.AddInt64(write, record.Version);
            _dialect.AddText(write, ValueCodec.Encode(record.Values));
            _dialect.AddTime(write, record.CreatedAt);
            _dialect.AddTime(write, record.UpdatedAt);
            _dialect.AddTime(write, record.DeletedAt);
            if (expectedVersion is { } expected)
            {
                _dialect.AddInt64(write, expected);
            }
            else
            {
                _dialect.AddText(write, record.Prefix);
            }

            if (await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }
        }

        await using (var log = connection.Command("INSERT INTO changes (key, version, operation, at) VALUES ($1, $2, $3, $4)", transaction))
        {
            _dialect.AddText(log, record.Key);
            _dialect.AddInt64(log, record.Version);
            _dialect.AddText(log, operationName);
            _dialect.AddTime(log, record.UpdatedAt);
            await log.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var audit = connection.Command("INSERT INTO audit (at, actor, operation, target, version_before, version_after, outcome) VALUES ($1, $2, $3, $4, $5, $6, 'OK')", transaction))
        {
            _dialect.AddTime(audit, record.UpdatedAt);
            _dialect.AddText(audit, actor);
            _dialect.AddText(audit, operationName);
            _dialect.AddText(audit, record.Identifier);
            _dialect.AddInt64(audit, expectedVersion);
            _dialect.AddInt64(audit, record.Version);
            await audit.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public async ValueTask<IReadOnlyList<HandleRecord>> ListAsync(string prefix, string? afterKey, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // "p." ≤ sub-prefix < "p/" in byte order (SQLite's BINARY, PostgreSQL's "C"; '/' follows '.'), so the index serves both halves.
            await using var command = connection.Command($"""
                SELECT {Columns} FROM records
                WHERE (prefix = $1 OR (prefix >= $2 AND prefix < $3))
                  AND deleted_at IS NULL AND key > $4
                ORDER BY key LIMIT $5
                """);
            _dialect.AddText(command, prefix);
            _dialect.AddText(command, prefix + ".");
            _dialect.AddText(command, prefix + "/");
            _dialect.AddText(command, afterKey ?? "");
            _dialect.AddInt32(command, limit);
            return await command.ReadAllAsync(_read, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException exception)
        {
            throw SqlDatabase.Unavailable(exception);
        }
    }

    public async ValueTask PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = connection.Command(_dialect.PingSql);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException exception)
        {
            throw SqlDatabase.Unavailable(exception);
        }
    }

    private HandleRecord Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt64(2),
        ValueCodec.Decode(reader.GetString(3)),
        _dialect.ReadTime(reader, 4),
        _dialect.ReadTime(reader, 5),
        _dialect.ReadOptionalTime(reader, 6));
}
