using System.Data;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Resolver.Core.Prefixes;
using Resolver.Core.Security;

namespace Resolver.Storage.Sqlite;

/// <summary>Enterprises, API keys, read grants and the audit log in the embedded SQLite file.</summary>
public sealed class SqliteAccessStore(SqliteDatabase database) : IAccessStore
{
    public async ValueTask<EnterpriseCreation> CreateEnterpriseAsync(Enterprise enterprise, string? prefix, ApiKey firstKey, AuditEntry audit, CancellationToken cancellationToken) =>
        await database.RunAsync(async connection =>
        {
            // BEGIN IMMEDIATE takes the write lock before the checks: a concurrent creation waits for this one to
            // commit and then checks against its rows (a deferred transaction would fail with SQLITE_BUSY instead).
            await using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            if (prefix is not null)
            {
                // The owned prefix at or nearest above the new one first (as PrefixTable.FindOwner), then any under it.
                var owned = await QueryAsync(connection, transaction, """
                    SELECT prefix, owner FROM prefixes
                    WHERE owner IS NOT NULL
                      AND (prefix IN (SELECT value FROM json_each($1)) OR (prefix >= $2 AND prefix < $3))
                    ORDER BY prefix <= $4 DESC, length(prefix) DESC, prefix
                    LIMIT 1
                    """, reader => (Prefix: reader.GetString(0), Owner: reader.GetString(1)), cancellationToken,
                    JsonSerializer.Serialize<IReadOnlyList<string>>([.. PrefixPath.SelfAndAncestors(prefix)], StorageJsonContext.Default.IReadOnlyListString),
                    prefix + ".", prefix + "/", prefix).ConfigureAwait(false);
                if (owned.Count > 0)
                {
                    return new EnterpriseCreation(EnterpriseCreationOutcome.PrefixOwned, owned[0].Prefix, owned[0].Owner);
                }
            }

            if (await ExecuteAsync(connection, transaction, "INSERT INTO enterprises (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", cancellationToken,
                    enterprise.Name, enterprise.CreatedAt.UtcTicks).ConfigureAwait(false) == 0)
            {
                return EnterpriseCreation.NameTaken;
            }

            if (prefix is not null)
            {
                var kind = await QueryAsync(connection, transaction, "SELECT kind FROM prefixes WHERE prefix = $1", reader => (PrefixKind)reader.GetInt32(0), cancellationToken, prefix).ConfigureAwait(false);
                if (kind is [not PrefixKind.Homed])
                {
                    return new EnterpriseCreation(EnterpriseCreationOutcome.PrefixDelegated, prefix);
                }

                // Homed already (without an owner, or the check above would have refused): only the owner is set.
                await ExecuteAsync(connection, transaction, """
                    INSERT INTO prefixes (prefix, kind, endpoints, created_at, owner) VALUES ($1, $2, '[]', $3, $4)
                    ON CONFLICT (prefix) DO UPDATE SET owner = excluded.owner
                    """, cancellationToken, prefix, (int)PrefixKind.Homed, enterprise.CreatedAt.UtcTicks, enterprise.Name).ConfigureAwait(false);
            }

            await ExecuteAsync(connection, transaction, "INSERT INTO api_keys (id, enterprise, salt, hash, created_at) VALUES ($1, $2, $3, $4, $5)", cancellationToken,
                firstKey.Id, firstKey.Enterprise, firstKey.Salt, firstKey.Hash, firstKey.CreatedAt.UtcTicks).ConfigureAwait(false);
            await AppendAuditAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return EnterpriseCreation.Created;
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<Enterprise>> ListEnterprisesAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT name, created_at FROM enterprises ORDER BY name",
            reader => new Enterprise(reader.GetString(0), Time(reader, 1)!.Value), cancellationToken).ConfigureAwait(false);

    public async ValueTask<Enterprise?> GetEnterpriseAsync(string name, CancellationToken cancellationToken) =>
        (await database.RunAsync(connection => QueryAsync(connection, null, "SELECT name, created_at FROM enterprises WHERE name = $1",
            reader => new Enterprise(reader.GetString(0), Time(reader, 1)!.Value), cancellationToken, name), cancellationToken).ConfigureAwait(false)) is [var found] ? found : null;

    public async ValueTask<ApiKey?> GetKeyAsync(string id, CancellationToken cancellationToken) =>
        (await database.RunAsync(connection => QueryAsync(connection, null, "SELECT id, enterprise, salt, hash, created_at, revoked_at FROM api_keys WHERE id = $1",
            reader => new ApiKey(reader.GetString(0), reader.GetString(1), (byte[])reader[2], (byte[])reader[3], Time(reader, 4)!.Value, Time(reader, 5)),
            cancellationToken, id), cancellationToken).ConfigureAwait(false)) is [var found] ? found : null;

    public async ValueTask AddKeyAsync(ApiKey key, AuditEntry audit, CancellationToken cancellationToken) =>
        await WriteAuditedAsync("INSERT INTO api_keys (id, enterprise, salt, hash, created_at) VALUES ($1, $2, $3, $4, $5)", audit, cancellationToken,
            key.Id, key.Enterprise, key.Salt, key.Hash, key.CreatedAt.UtcTicks).ConfigureAwait(false);

    public async ValueTask<bool> RevokeKeyAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken) =>
        await WriteAuditedAsync("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", audit, cancellationToken, id, at.UtcTicks).ConfigureAwait(false) == 1;

    public async ValueTask<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT id, enterprise, salt, hash, created_at, revoked_at FROM api_keys ORDER BY enterprise, created_at",
            reader => new ApiKey(reader.GetString(0), reader.GetString(1), (byte[])reader[2], (byte[])reader[3], Time(reader, 4)!.Value, Time(reader, 5)),
            cancellationToken).ConfigureAwait(false);

    public async ValueTask PutGrantAsync(ReadGrant grant, AuditEntry audit, CancellationToken cancellationToken) =>
        await WriteAuditedAsync("""
            INSERT INTO grants (owner, grantee, prefix, types, created_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (owner, grantee, prefix) DO UPDATE SET types = excluded.types, created_at = excluded.created_at
            """, audit, cancellationToken,
            grant.Owner, grant.Grantee, grant.Prefix, JsonSerializer.Serialize(grant.Types, StorageJsonContext.Default.IReadOnlyListString), grant.CreatedAt.UtcTicks).ConfigureAwait(false);

    public async ValueTask<bool> RemoveGrantAsync(string owner, string grantee, string prefix, AuditEntry audit, CancellationToken cancellationToken) =>
        await WriteAuditedAsync("DELETE FROM grants WHERE owner = $1 AND grantee = $2 AND prefix = $3", audit, cancellationToken, owner, grantee, prefix).ConfigureAwait(false) == 1;

    // One administrative write and its audit row, all or nothing; no audit row when the write changed nothing.
    private Task<int> WriteAuditedAsync(string sql, AuditEntry audit, CancellationToken cancellationToken, params object?[] parameters) =>
        database.RunAsync(async connection =>
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var changed = await ExecuteAsync(connection, transaction, sql, cancellationToken, parameters).ConfigureAwait(false);
            if (changed > 0)
            {
                await AppendAuditAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed;
        }, cancellationToken);

    public async ValueTask<IReadOnlyList<ReadGrant>> ListGrantsAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT owner, grantee, prefix, types, created_at FROM grants ORDER BY owner, grantee, prefix",
            reader => new ReadGrant(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                JsonSerializer.Deserialize(reader.GetString(3), StorageJsonContext.Default.IReadOnlyListString) ?? [], Time(reader, 4)!.Value),
            cancellationToken).ConfigureAwait(false);

    public async ValueTask AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        await database.RunAsync(connection => AppendAuditAsync(connection, null, entry, cancellationToken), cancellationToken).ConfigureAwait(false);

    // The one audit insert: refusals on their own, committed changes inside their write's transaction.
    private static Task<int> AppendAuditAsync(SqliteConnection connection, SqliteTransaction? transaction, AuditEntry entry, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, "INSERT INTO audit (at, actor, operation, target, version_before, version_after, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7)", cancellationToken,
            entry.At.UtcTicks, entry.Actor, entry.Operation, entry.Target, entry.VersionBefore, entry.VersionAfter, entry.Outcome);

    public async ValueTask<IReadOnlyList<AuditEntry>> ListAuditAsync(long? beforeSequence, int limit, CancellationToken cancellationToken) =>
        await QueryAsync($"SELECT seq, at, actor, operation, target, version_before, version_after, outcome FROM audit WHERE seq < {beforeSequence ?? long.MaxValue} ORDER BY seq DESC LIMIT {limit}",
            reader => new AuditEntry(reader.GetInt64(0), Time(reader, 1)!.Value, reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.GetString(7)),
            cancellationToken).ConfigureAwait(false);

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetInt64(ordinal), TimeSpan.Zero);

    private static Task<int> ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, params object?[] parameters) =>
        ExecuteAsync(connection, null, sql, cancellationToken, parameters);

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"${i + 1}", parameters[i] ?? DBNull.Value);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken cancellationToken) =>
        database.RunAsync(connection => QueryAsync(connection, null, sql, read, cancellationToken), cancellationToken);

    private static async Task<IReadOnlyList<T>> QueryAsync<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, Func<SqliteDataReader, T> read, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"${i + 1}", parameters[i] ?? DBNull.Value);
        }

        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
