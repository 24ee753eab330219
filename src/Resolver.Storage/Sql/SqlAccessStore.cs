using System.Data;
using System.Data.Common;
using System.Text.Json;
using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Security;

namespace Resolver.Storage.Sql;

/// <summary>Enterprises, API keys, read grants and the audit log in a SQL database.</summary>
public abstract class SqlAccessStore : IAccessStore
{
    // Lost races are retried this many times in all; after that the caller sees ABORTED.
    private const int CreateEnterpriseAttempts = 5;

    private const string KeyColumns = "id, enterprise, salt, hash, created_at, revoked_at";

    private readonly SqlDatabase _database;
    private readonly SqlDialect _dialect;
    private readonly string _findOwned;
    private readonly string _homeOwned;
    private readonly string _putGrant;

    private protected SqlAccessStore(SqlDatabase database)
    {
        _database = database;
        _dialect = database.Dialect;

        // The owned prefix at or nearest above the new one first (as PrefixTable.FindOwner), then any under it.
        _findOwned = $"""
            SELECT prefix, owner FROM prefixes
            WHERE owner IS NOT NULL AND (prefix {_dialect.AnyOf("$1")} OR (prefix >= $2 AND prefix < $3))
            ORDER BY prefix <= $4 DESC, length(prefix) DESC, prefix
            LIMIT 1
            """;
        _homeOwned = $"""
            INSERT INTO prefixes (prefix, kind, endpoints, created_at, owner) VALUES ($1, $2, {_dialect.Json("'[]'")}, $3, $4)
            ON CONFLICT (prefix) DO UPDATE SET owner = excluded.owner
            """;
        _putGrant = $"""
            INSERT INTO grants (owner, grantee, prefix, types, created_at) VALUES ($1, $2, $3, {_dialect.Json("$4")}, $5)
            ON CONFLICT (owner, grantee, prefix) DO UPDATE SET types = excluded.types, created_at = excluded.created_at
            """;
    }

    public async ValueTask<EnterpriseCreation> CreateEnterpriseAsync(Enterprise enterprise, string? prefix, ApiKey firstKey, AuditEntry audit, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryCreateEnterpriseAsync(enterprise, prefix, firstKey, audit, cancellationToken).ConfigureAwait(false);
            }
            catch (DbException exception) when (_dialect.IsLostRace(exception))
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
            catch (DbException exception)
            {
                throw SqlDatabase.Unavailable(exception);
            }
        }
    }

    private async Task<EnterpriseCreation> TryCreateEnterpriseAsync(Enterprise enterprise, string? prefix, ApiKey firstKey, AuditEntry audit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // SERIALIZABLE rather than locks: no advisory locks or LOCK TABLE, so the same SQL runs on CockroachDB and
        // YugabyteDB, where SERIALIZABLE is the default and the retry above is routine. SQLite takes its write lock before
        // the checks: a concurrent creation waits for this one to commit and then checks against its rows.
        await using var transaction = await _dialect.BeginAsync(connection, IsolationLevel.Serializable, cancellationToken).ConfigureAwait(false);
        if (prefix is not null)
        {
            await using var findOwned = connection.Command(_findOwned, transaction);
            _dialect.AddTextList(findOwned, [.. PrefixPath.SelfAndAncestors(prefix)]);
            _dialect.AddText(findOwned, prefix + ".");
            _dialect.AddText(findOwned, prefix + "/");
            _dialect.AddText(findOwned, prefix);
            var owned = await findOwned.ReadAllAsync(reader => (Prefix: reader.GetString(0), Owner: reader.GetString(1)), cancellationToken).ConfigureAwait(false);
            if (owned.Count > 0)
            {
                return new EnterpriseCreation(EnterpriseCreationOutcome.PrefixOwned, owned[0].Prefix, owned[0].Owner);
            }
        }

        await using (var insert = connection.Command("INSERT INTO enterprises (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", transaction))
        {
            _dialect.AddText(insert, enterprise.Name);
            _dialect.AddTime(insert, enterprise.CreatedAt);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return EnterpriseCreation.NameTaken;
            }
        }

        if (prefix is not null)
        {
            await using var kind = connection.Command("SELECT kind FROM prefixes WHERE prefix = $1", transaction);
            _dialect.AddText(kind, prefix);
            if (await kind.ReadAllAsync(reader => (PrefixKind)reader.GetInt32(0), cancellationToken).ConfigureAwait(false) is [not PrefixKind.Homed])
            {
                return new EnterpriseCreation(EnterpriseCreationOutcome.PrefixDelegated, prefix);
            }

            // Homed already (without an owner, or the check above would have refused): only the owner is set.
            await using var home = connection.Command(_homeOwned, transaction);
            _dialect.AddText(home, prefix);
            _dialect.AddInt32(home, (int)PrefixKind.Homed);
            _dialect.AddTime(home, enterprise.CreatedAt);
            _dialect.AddText(home, enterprise.Name);
            await home.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await InsertKeyAsync(connection, transaction, firstKey, cancellationToken).ConfigureAwait(false);
        await AppendAuditAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return EnterpriseCreation.Created;
    }

    public async ValueTask<IReadOnlyList<Enterprise>> ListEnterprisesAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT name, created_at FROM enterprises ORDER BY name", ReadEnterprise, _ => { }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<Enterprise?> GetEnterpriseAsync(string name, CancellationToken cancellationToken) =>
        await QueryAsync("SELECT name, created_at FROM enterprises WHERE name = $1", ReadEnterprise, command => _dialect.AddText(command, name), cancellationToken).ConfigureAwait(false)
            is [var found] ? found : null;

    public async ValueTask<ApiKey?> GetKeyAsync(string id, CancellationToken cancellationToken) =>
        await QueryAsync($"SELECT {KeyColumns} FROM api_keys WHERE id = $1", ReadKey, command => _dialect.AddText(command, id), cancellationToken).ConfigureAwait(false)
            is [var found] ? found : null;

    public async ValueTask<bool> AddKeyAsync(ApiKey key, int maxLiveKeys, AuditEntry audit, CancellationToken cancellationToken) =>
        await WriteAuditedAsync(async (connection, transaction) =>
        {
            // The enterprise's row is the lock that orders its key creations: a no-op update takes a row lock on
            // PostgreSQL (SQLite holds its one write lock already), so the count below sees every creation that went
            // first, and sixteen at once cannot all count 999 and all insert. Plain SQL: no advisory locks or LOCK TABLE.
            await using (var lockEnterprise = connection.Command("UPDATE enterprises SET name = name WHERE name = $1", transaction))
            {
                _dialect.AddText(lockEnterprise, key.Enterprise);
                await lockEnterprise.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var count = connection.Command("SELECT count(*) FROM api_keys WHERE enterprise = $1 AND revoked_at IS NULL", transaction))
            {
                _dialect.AddText(count, key.Enterprise);
                if (Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) >= maxLiveKeys)
                {
                    return 0;
                }
            }

            return await InsertKeyAsync(connection, transaction, key, cancellationToken).ConfigureAwait(false);
        }, audit, cancellationToken).ConfigureAwait(false) == 1;

    public async ValueTask<bool> RevokeKeyAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken) =>
        await WriteAuditedAsync("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", command =>
        {
            _dialect.AddText(command, id);
            _dialect.AddTime(command, at);
        }, audit, cancellationToken).ConfigureAwait(false) == 1;

    public async ValueTask<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken cancellationToken) =>
        await QueryAsync($"SELECT {KeyColumns} FROM api_keys ORDER BY enterprise, created_at", ReadKey, _ => { }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<ApiKey>> ListKeysAsync(string enterprise, bool includeRevoked, ApiKey? before, int limit, CancellationToken cancellationToken) =>
        await QueryAsync(
            ListKeysSql(includeRevoked, before is not null),
            ReadKey,
            command =>
            {
                _dialect.AddText(command, enterprise);
                _dialect.AddInt32(command, limit);
                if (before is not null)
                {
                    _dialect.AddTime(command, before.CreatedAt);
                    _dialect.AddText(command, before.Id);
                }
            },
            cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// One enterprise's keys, newest first, read by the index <c>api_keys_by_enterprise</c>: $1 the enterprise, $2 the
    /// limit, and after a page $3 and $4 the issue time and id of its last key (a row-value comparison, as both engines
    /// order rows; ids compare as the database orders them, so pages neither skip nor repeat a key).
    /// </summary>
    internal static string ListKeysSql(bool includeRevoked, bool after) =>
        $"SELECT {KeyColumns} FROM api_keys WHERE enterprise = $1" +
        (includeRevoked ? "" : " AND revoked_at IS NULL") +
        (after ? " AND (created_at, id) < ($3, $4)" : "") +
        " ORDER BY created_at DESC, id DESC LIMIT $2";

    public async ValueTask<IReadOnlyList<ApiKey>> ListLiveKeysAsync(CancellationToken cancellationToken) =>
        await QueryAsync($"SELECT {KeyColumns} FROM api_keys WHERE revoked_at IS NULL ORDER BY enterprise, created_at", ReadKey, _ => { }, cancellationToken).ConfigureAwait(false);

    public async ValueTask PutGrantAsync(ReadGrant grant, AuditEntry audit, CancellationToken cancellationToken) =>
        await WriteAuditedAsync(_putGrant, command =>
        {
            _dialect.AddText(command, grant.Owner);
            _dialect.AddText(command, grant.Grantee);
            _dialect.AddText(command, grant.Prefix);
            _dialect.AddText(command, JsonSerializer.Serialize(grant.Types, StorageJsonContext.Default.IReadOnlyListString));
            _dialect.AddTime(command, grant.CreatedAt);
        }, audit, cancellationToken).ConfigureAwait(false);

    public async ValueTask<bool> RemoveGrantAsync(string owner, string grantee, string prefix, AuditEntry audit, CancellationToken cancellationToken) =>
        await WriteAuditedAsync("DELETE FROM grants WHERE owner = $1 AND grantee = $2 AND prefix = $3", command =>
        {
            _dialect.AddText(command, owner);
            _dialect.AddText(command, grantee);
            _dialect.AddText(command, prefix);
        }, audit, cancellationToken).ConfigureAwait(false) == 1;

    public async ValueTask<IReadOnlyList<ReadGrant>> ListGrantsAsync(CancellationToken cancellationToken) =>
        await QueryAsync("SELECT owner, grantee, prefix, CAST(types AS TEXT), created_at FROM grants ORDER BY owner, grantee, prefix", ReadGrant, _ => { }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<ReadGrant>> ListGrantsToAsync(string grantee, CancellationToken cancellationToken) =>
        await QueryAsync("SELECT owner, grantee, prefix, CAST(types AS TEXT), created_at FROM grants WHERE grantee = $1 ORDER BY owner, grantee, prefix", ReadGrant,
            command => _dialect.AddText(command, grantee), cancellationToken).ConfigureAwait(false);

    public async ValueTask AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        await _database.RunAsync(connection => AppendAuditAsync(connection, null, entry, cancellationToken), cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<AuditEntry>> ListAuditAsync(long? beforeSequence, int limit, CancellationToken cancellationToken) =>
        await QueryAsync("SELECT seq, at, actor, operation, target, version_before, version_after, outcome FROM audit WHERE seq < $1 ORDER BY seq DESC LIMIT $2",
            reader => new AuditEntry(reader.GetInt64(0), _dialect.ReadTime(reader, 1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.GetString(7)),
            command =>
            {
                _dialect.AddInt64(command, beforeSequence ?? long.MaxValue);
                _dialect.AddInt32(command, limit);
            }, cancellationToken).ConfigureAwait(false);

    // The one audit insert: refusals on their own, committed changes inside their write's transaction.
    private async Task<int> AppendAuditAsync(DbConnection connection, DbTransaction? transaction, AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("INSERT INTO audit (at, actor, operation, target, version_before, version_after, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7)", transaction);
        _dialect.AddTime(command, entry.At);
        _dialect.AddText(command, entry.Actor);
        _dialect.AddText(command, entry.Operation);
        _dialect.AddText(command, entry.Target);
        _dialect.AddInt64(command, entry.VersionBefore);
        _dialect.AddInt64(command, entry.VersionAfter);
        _dialect.AddText(command, entry.Outcome);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> InsertKeyAsync(DbConnection connection, DbTransaction transaction, ApiKey key, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("INSERT INTO api_keys (id, enterprise, salt, hash, created_at) VALUES ($1, $2, $3, $4, $5)", transaction);
        _dialect.AddText(command, key.Id);
        _dialect.AddText(command, key.Enterprise);
        _dialect.AddBytes(command, key.Salt);
        _dialect.AddBytes(command, key.Hash);
        _dialect.AddTime(command, key.CreatedAt);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task<int> WriteAuditedAsync(string sql, Action<DbCommand> bind, AuditEntry audit, CancellationToken cancellationToken) =>
        WriteAuditedAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(sql, transaction);
            bind(command);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, audit, cancellationToken);

    // One administrative write and its audit row, all or nothing; no audit row when the write changed nothing.
    private Task<int> WriteAuditedAsync(Func<DbConnection, DbTransaction, Task<int>> write, AuditEntry audit, CancellationToken cancellationToken) =>
        _database.RunAsync(async connection =>
        {
            await using var transaction = await _dialect.BeginAsync(connection, IsolationLevel.Unspecified, cancellationToken).ConfigureAwait(false);
            var changed = await write(connection, transaction).ConfigureAwait(false);
            if (changed > 0)
            {
                await AppendAuditAsync(connection, transaction, audit, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed;
        }, cancellationToken);

    private Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        _database.RunAsync(async connection =>
        {
            await using var command = connection.Command(sql);
            bind(command);
            return await command.ReadAllAsync(read, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    private Enterprise ReadEnterprise(DbDataReader reader) => new(reader.GetString(0), _dialect.ReadTime(reader, 1));

    private ReadGrant ReadGrant(DbDataReader reader) => new(reader.GetString(0), reader.GetString(1), reader.GetString(2),
        JsonSerializer.Deserialize(reader.GetString(3), StorageJsonContext.Default.IReadOnlyListString) ?? [], _dialect.ReadTime(reader, 4));

    private ApiKey ReadKey(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2), reader.GetFieldValue<byte[]>(3),
        _dialect.ReadTime(reader, 4), _dialect.ReadOptionalTime(reader, 5));
}
