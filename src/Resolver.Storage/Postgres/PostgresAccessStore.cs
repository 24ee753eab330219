using System.Text.Json;
using Npgsql;
using Resolver.Core.Security;

namespace Resolver.Storage.Postgres;

/// <summary>Enterprises, API keys, read grants and the audit log in PostgreSQL.</summary>
public sealed class PostgresAccessStore(PostgresDatabase database) : IAccessStore
{
    public async ValueTask<bool> AddEnterpriseAsync(Enterprise enterprise, CancellationToken cancellationToken) =>
        await ExecuteAsync("INSERT INTO enterprises (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", cancellationToken,
            enterprise.Name, enterprise.CreatedAt).ConfigureAwait(false) == 1;

    public async ValueTask<IReadOnlyList<Enterprise>> ListEnterprisesAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT name, created_at FROM enterprises ORDER BY name",
            reader => new Enterprise(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)), cancellationToken).ConfigureAwait(false);

    public async ValueTask AddKeyAsync(ApiKey key, CancellationToken cancellationToken) =>
        await ExecuteAsync("INSERT INTO api_keys (id, enterprise, salt, hash, created_at) VALUES ($1, $2, $3, $4, $5)", cancellationToken,
            key.Id, key.Enterprise, key.Salt, key.Hash, key.CreatedAt).ConfigureAwait(false);

    public async ValueTask<bool> RevokeKeyAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        await ExecuteAsync("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", cancellationToken, id, at).ConfigureAwait(false) == 1;

    public async ValueTask<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT id, enterprise, salt, hash, created_at, revoked_at FROM api_keys ORDER BY enterprise, created_at",
            reader => new ApiKey(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2), reader.GetFieldValue<byte[]>(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)),
            cancellationToken).ConfigureAwait(false);

    public async ValueTask PutGrantAsync(ReadGrant grant, CancellationToken cancellationToken) =>
        await ExecuteAsync("""
            INSERT INTO grants (owner, grantee, prefix, types, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)
            ON CONFLICT (owner, grantee, prefix) DO UPDATE SET types = excluded.types, created_at = excluded.created_at
            """, cancellationToken,
            grant.Owner, grant.Grantee, grant.Prefix, JsonSerializer.Serialize(grant.Types, StorageJsonContext.Default.IReadOnlyListString), grant.CreatedAt).ConfigureAwait(false);

    public async ValueTask<bool> RemoveGrantAsync(string owner, string grantee, string prefix, CancellationToken cancellationToken) =>
        await ExecuteAsync("DELETE FROM grants WHERE owner = $1 AND grantee = $2 AND prefix = $3", cancellationToken, owner, grantee, prefix).ConfigureAwait(false) == 1;

    public async ValueTask<IReadOnlyList<ReadGrant>> ListGrantsAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT owner, grantee, prefix, types::text, created_at FROM grants ORDER BY owner, grantee, prefix",
            reader => new ReadGrant(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                JsonSerializer.Deserialize(reader.GetString(3), StorageJsonContext.Default.IReadOnlyListString) ?? [], reader.GetFieldValue<DateTimeOffset>(4)),
            cancellationToken).ConfigureAwait(false);

    public async ValueTask AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        await ExecuteAsync("INSERT INTO audit (at, actor, operation, target, version_before, version_after, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7)", cancellationToken,
            entry.At, entry.Actor, entry.Operation, entry.Target, entry.VersionBefore, entry.VersionAfter, entry.Outcome).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<AuditEntry>> ListAuditAsync(long? beforeSequence, int limit, CancellationToken cancellationToken) =>
        await QueryAsync("SELECT seq, at, actor, operation, target, version_before, version_after, outcome FROM audit WHERE seq < $1 ORDER BY seq DESC LIMIT $2",
            reader => new AuditEntry(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.GetString(7)),
            cancellationToken, beforeSequence ?? long.MaxValue, limit).ConfigureAwait(false);

    private Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params object?[] parameters) =>
        database.RunAsync(async source =>
        {
            await using var command = source.CreateCommand(sql);
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(Parameter(parameter));
            }

            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        });

    private Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken, params object?[] parameters) =>
        database.RunAsync<IReadOnlyList<T>>(async source =>
        {
            await using var command = source.CreateCommand(sql);
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
        });

    // Nulls need a type for PostgreSQL; the only nullable columns written here are BIGINT versions.
    private static NpgsqlParameter Parameter(object? value) =>
        value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint } : new NpgsqlParameter { Value = value };
}
