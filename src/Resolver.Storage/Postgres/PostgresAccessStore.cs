using System.Data;
using System.Text.Json;
using Npgsql;
using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Security;

namespace Resolver.Storage.Postgres;

/// <summary>Enterprises, API keys, read grants and the audit log in PostgreSQL.</summary>
public sealed class PostgresAccessStore(PostgresDatabase database) : IAccessStore
{
    // Serialization failures are retried this many times in all; after that the caller sees ABORTED.
    private const int CreateEnterpriseAttempts = 5;

    public async ValueTask<EnterpriseCreation> CreateEnterpriseAsync(Enterprise enterprise, string? prefix, ApiKey firstKey, AuditEntry audit, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryCreateEnterpriseAsync(enterprise, prefix, firstKey, audit, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected)
            {
                // SERIALIZABLE aborts one of two creations that read what the other writes (nested prefixes, the same
                // name); run again, it sees the other's commit and answers accordingly. A short random pause spreads
                // the retries of several racing creations.
                if (attempt == CreateEnterpriseAttempts)
                {
                    throw new ResolverException(new Problem(ErrorKind.Aborted, Reasons.WriteContention, $"enterprise {enterprise.Name} was not created: concurrent changes to enterprises and prefixes kept conflicting with it; retry"), exception);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 20 * attempt)), cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException exception)
            {
                throw PostgresDatabase.Unavailable(exception);
            }
        }
    }

    private async Task<EnterpriseCreation> TryCreateEnterpriseAsync(Enterprise enterprise, string? prefix, ApiKey firstKey, AuditEntry audit, CancellationToken cancellationToken)
    {
        // SERIALIZABLE rather than locks: no advisory locks or LOCK TABLE, so the same SQL runs on CockroachDB and
        // YugabyteDB, where SERIALIZABLE is the default and the retry above is routine.
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
        if (prefix is not null)
        {
            // The owned prefix at or nearest above the new one first (as PrefixTable.FindOwner), then any under it.
            var owned = await QueryAsync(connection, transaction, """
                SELECT prefix, owner FROM prefixes
                WHERE owner IS NOT NULL AND (prefix = ANY($1) OR (prefix >= $2 AND prefix < $3))
                ORDER BY prefix <= $4 DESC, length(prefix) DESC, prefix
                LIMIT 1
                """, reader => (Prefix: reader.GetString(0), Owner: reader.GetString(1)), cancellationToken,
                PrefixPath.SelfAndAncestors(prefix).ToArray(), prefix + ".", prefix + "/", prefix).ConfigureAwait(false);
            if (owned.Count > 0)
            {
                return new EnterpriseCreation(EnterpriseCreationOutcome.PrefixOwned, owned[0].Prefix, owned[0].Owner);
            }
        }

        if (await ExecuteAsync(connection, transaction, "INSERT INTO enterprises (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", cancellationToken,
                enterprise.Name, enterprise.CreatedAt).ConfigureAwait(false) == 0)
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
                INSERT INTO prefixes (prefix, kind, endpoints, created_at, owner) VALUES ($1, $2, '[]'::jsonb, $3, $4)
                ON CONFLICT (prefix) DO UPDATE SET owner = excluded.owner
                """, cancellationToken, prefix, (int)PrefixKind.Homed, enterprise.CreatedAt, enterprise.Name).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, "INSERT INTO api_keys (id, enterprise, salt, hash, created_at) VALUES ($1, $2, $3, $4, $5)", cancellationToken,
            firstKey.Id, firstKey.Enterprise, firstKey.Salt, firstKey.Hash, firstKey.CreatedAt).ConfigureAwait(false);
        await AppendAuditAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return EnterpriseCreation.Created;
    }

    public async ValueTask<IReadOnlyList<Enterprise>> ListEnterprisesAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT name, created_at FROM enterprises ORDER BY name",
            reader => new Enterprise(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)), cancellationToken).ConfigureAwait(false);

    public async ValueTask<Enterprise?> GetEnterpriseAsync(string name, CancellationToken cancellationToken) =>
        (await QueryAsync("SELECT name, created_at FROM enterprises WHERE name = $1",
            reader => new Enterprise(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)), cancellationToken, name).ConfigureAwait(false)) is [var found] ? found : null;

    public async ValueTask<ApiKey?> GetKeyAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync("SELECT id, enterprise, salt, hash, created_at, revoked_at FROM api_keys WHERE id = $1",
            reader => new ApiKey(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2), reader.GetFieldValue<byte[]>(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)),
            cancellationToken, id).ConfigureAwait(false)) is [var found] ? found : null;

    public async ValueTask AddKeyAsync(ApiKey key, AuditEntry audit, CancellationToken cancellationToken) =>
        await WriteAuditedAsync("INSERT INTO api_keys (id, enterprise, salt, hash, created_at) VALUES ($1, $2, $3, $4, $5)", audit, cancellationToken,
            key.Id, key.Enterprise, key.Salt, key.Hash, key.CreatedAt).ConfigureAwait(false);

    public async ValueTask<bool> RevokeKeyAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken) =>
        await WriteAuditedAsync("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", audit, cancellationToken, id, at).ConfigureAwait(false) == 1;

    public async ValueTask<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT id, enterprise, salt, hash, created_at, revoked_at FROM api_keys ORDER BY enterprise, created_at",
            reader => new ApiKey(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2), reader.GetFieldValue<byte[]>(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)),
            cancellationToken).ConfigureAwait(false);

    public async ValueTask PutGrantAsync(ReadGrant grant, AuditEntry audit, CancellationToken cancellationToken) =>
        await WriteAuditedAsync("""
            INSERT INTO grants (owner, grantee, prefix, types, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)
            ON CONFLICT (owner, grantee, prefix) DO UPDATE SET types = excluded.types, created_at = excluded.created_at
            """, audit, cancellationToken,
            grant.Owner, grant.Grantee, grant.Prefix, JsonSerializer.Serialize(grant.Types, StorageJsonContext.Default.IReadOnlyListString), grant.CreatedAt).ConfigureAwait(false);

    public async ValueTask<bool> RemoveGrantAsync(string owner, string grantee, string prefix, AuditEntry audit, CancellationToken cancellationToken) =>
        await WriteAuditedAsync("DELETE FROM grants WHERE owner = $1 AND grantee = $2 AND prefix = $3", audit, cancellationToken, owner, grantee, prefix).ConfigureAwait(false) == 1;

    // One administrative write and its audit row, all or nothing; no audit row when the write changed nothing.
    private Task<int> WriteAuditedAsync(string sql, AuditEntry audit, CancellationToken cancellationToken, params object?[] parameters) =>
        database.RunAsync(async source =>
        {
            await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var changed = await ExecuteAsync(connection, transaction, sql, cancellationToken, parameters).ConfigureAwait(false);
            if (changed > 0)
            {
                await AppendAuditAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed;
        });

    public async ValueTask<IReadOnlyList<ReadGrant>> ListGrantsAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT owner, grantee, prefix, types::text, created_at FROM grants ORDER BY owner, grantee, prefix",
            reader => new ReadGrant(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                JsonSerializer.Deserialize(reader.GetString(3), StorageJsonContext.Default.IReadOnlyListString) ?? [], reader.GetFieldValue<DateTimeOffset>(4)),
            cancellationToken).ConfigureAwait(false);

    public async ValueTask AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        await database.RunAsync(async source =>
        {
            await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await AppendAuditAsync(connection, null, entry, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);

    // The one audit insert: refusals on their own, committed changes inside their write's transaction.
    private static Task<int> AppendAuditAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, AuditEntry entry, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, "INSERT INTO audit (at, actor, operation, target, version_before, version_after, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7)", cancellationToken,
            entry.At, entry.Actor, entry.Operation, entry.Target, entry.VersionBefore, entry.VersionAfter, entry.Outcome);

    public async ValueTask<IReadOnlyList<AuditEntry>> ListAuditAsync(long? beforeSequence, int limit, CancellationToken cancellationToken) =>
        await QueryAsync("SELECT seq, at, actor, operation, target, version_before, version_after, outcome FROM audit WHERE seq < $1 ORDER BY seq DESC LIMIT $2",
            reader => new AuditEntry(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.GetString(7)),
            cancellationToken, beforeSequence ?? long.MaxValue, limit).ConfigureAwait(false);

    // Outside a transaction: one pooled connection for the statement, through the same helpers as inside one.
    private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params object?[] parameters) =>
        database.RunAsync(async source =>
        {
            await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await ExecuteAsync(connection, null, sql, cancellationToken, parameters).ConfigureAwait(false);
        });

    private Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken, params object?[] parameters) =>
        database.RunAsync(async source =>
        {
            await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await QueryAsync(connection, null, sql, read, cancellationToken, parameters).ConfigureAwait(false);
        });

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(Parameter(parameter));
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<T>> QueryAsync<T>(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(Parameter(parameter));
        }

        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    // Nulls need a type for PostgreSQL; the only nullable columns written here are BIGINT versions.
    private static NpgsqlParameter Parameter(object? value) =>
        value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint } : new NpgsqlParameter { Value = value };
}
