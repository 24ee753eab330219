using System.Data;
using System.Data.Common;
using System.Text.Json;
using Resolver.Core.Prefixes;

namespace Resolver.Storage.Sql;

/// <summary>Homed and delegated prefixes in a SQL database.</summary>
public abstract class SqlPrefixStore : IPrefixStore
{
    private const string Columns = "prefix, kind, CAST(endpoints AS TEXT), created_at, owner, ttl";

    private readonly SqlDatabase _database;
    private readonly SqlDialect _dialect;
    private readonly string _add;
    private readonly string _putDelegation;

    private protected SqlPrefixStore(SqlDatabase database)
    {
        _database = database;
        _dialect = database.Dialect;
        _add = $"INSERT INTO prefixes (prefix, kind, endpoints, created_at, owner, ttl) VALUES ($1, $2, {_dialect.Json("$3")}, $4, $5, $6) ON CONFLICT (prefix) DO NOTHING";

        // The upsert only touches a delegated row: a homed one (there before, or homed concurrently) makes it return nothing.
        _putDelegation = $"""
            INSERT INTO prefixes (prefix, kind, endpoints, created_at, owner, ttl) VALUES ($1, $2, {_dialect.Json("$3")}, $4, $5, $6)
            ON CONFLICT (prefix) DO UPDATE SET endpoints = excluded.endpoints, ttl = excluded.ttl WHERE prefixes.kind = $2
            RETURNING created_at, owner
            """;
    }

    public async ValueTask<(PrefixEntry Entry, bool Created)> AddAsync(PrefixEntry entry, CancellationToken cancellationToken)
    {
        var inserted = await _database.RunAsync(async connection =>
        {
            await using var insert = connection.Command(_add);
            AddValues(insert, entry);
            return await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (inserted == 1)
        {
            return (entry, true);
        }

        var existing = (await ListAsync(cancellationToken).ConfigureAwait(false)).First(e => e.Prefix == entry.Prefix);
        return (existing, false);
    }

    public async ValueTask<IReadOnlyList<PrefixEntry>> ListAsync(CancellationToken cancellationToken) =>
        await _database.RunAsync<IReadOnlyList<PrefixEntry>>(async connection =>
        {
            await using var command = connection.Command($"SELECT {Columns} FROM prefixes ORDER BY prefix");
            return await command.ReadAllAsync(Read, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<(PrefixEntry Entry, bool Created)> PutDelegationAsync(PrefixEntry entry, CancellationToken cancellationToken) =>
        await _database.RunAsync(async connection =>
        {
            // SQLite takes its write lock before the read, so nothing comes between the read and the upsert. On PostgreSQL
            // the upsert's WHERE alone keeps a homed prefix homed, and the read only says whether the row was new.
            await using var transaction = await _dialect.BeginAsync(connection, IsolationLevel.Unspecified, cancellationToken).ConfigureAwait(false);
            var existing = await KindAsync(connection, transaction, entry.Prefix, cancellationToken).ConfigureAwait(false);
            if (existing is PrefixKind.Homed)
            {
                throw PrefixStoreRefusals.Homed(entry.Prefix);
            }

            var delegation = entry with { Kind = PrefixKind.Delegated };
            PrefixEntry stored;
            await using (var upsert = connection.Command(_putDelegation, transaction))
            {
                AddValues(upsert, delegation);
                await using var reader = await upsert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw PrefixStoreRefusals.Homed(entry.Prefix);
                }

                stored = delegation with { CreatedAt = _dialect.ReadTime(reader, 0), Owner = reader.IsDBNull(1) ? null : reader.GetString(1) };
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return (stored, existing is null);
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<bool> RemoveDelegationAsync(string prefix, CancellationToken cancellationToken) =>
        await _database.RunAsync(async connection =>
        {
            // The delete only takes a delegated row; when it took none, the row as it stands says whether that was a refusal.
            await using var transaction = await _dialect.BeginAsync(connection, IsolationLevel.Unspecified, cancellationToken).ConfigureAwait(false);
            await using (var delete = connection.Command("DELETE FROM prefixes WHERE prefix = $1 AND kind = $2", transaction))
            {
                _dialect.AddText(delete, prefix);
                _dialect.AddInt32(delete, (int)PrefixKind.Delegated);
                if (await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
            }

            return await KindAsync(connection, transaction, prefix, cancellationToken).ConfigureAwait(false) is PrefixKind.Homed
                ? throw PrefixStoreRefusals.Homed(prefix)
                : false;
        }, cancellationToken).ConfigureAwait(false);

    private async Task<PrefixKind?> KindAsync(DbConnection connection, DbTransaction transaction, string prefix, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT kind FROM prefixes WHERE prefix = $1", transaction);
        _dialect.AddText(command, prefix);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } kind and not DBNull
            ? (PrefixKind)Convert.ToInt32(kind, System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    private void AddValues(DbCommand command, PrefixEntry entry)
    {
        _dialect.AddText(command, entry.Prefix);
        _dialect.AddInt32(command, (int)entry.Kind);
        _dialect.AddText(command, JsonSerializer.Serialize(entry.Endpoints, StorageJsonContext.Default.IReadOnlyListString));
        _dialect.AddTime(command, entry.CreatedAt);
        _dialect.AddText(command, entry.Owner);
        _dialect.AddInt32(command, entry.Ttl);
    }

    private PrefixEntry Read(DbDataReader reader) => new(
        reader.GetString(0),
        (PrefixKind)reader.GetInt32(1),
        JsonSerializer.Deserialize(reader.GetString(2), StorageJsonContext.Default.IReadOnlyListString) ?? [],
        _dialect.ReadTime(reader, 3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetInt32(5));
}
