using System.Text.Json;
using Npgsql;
using Resolver.Core.Prefixes;

namespace Resolver.Storage.Postgres;

/// <summary>Homed and delegated prefixes in PostgreSQL.</summary>
public sealed class PostgresPrefixStore(PostgresDatabase database) : IPrefixStore
{
    public async ValueTask<(PrefixEntry Entry, bool Created)> AddAsync(PrefixEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await using var insert = database.DataSource.CreateCommand(
                "INSERT INTO prefixes (prefix, kind, endpoints, created_at, owner, ttl) VALUES ($1, $2, $3::jsonb, $4, $5, $6) ON CONFLICT (prefix) DO NOTHING");
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Prefix });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)entry.Kind });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Json(entry.Endpoints) });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = entry.CreatedAt });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)entry.Owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = entry.Ttl });
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                return (entry, true);
            }

            var existing = (await ListAsync(cancellationToken).ConfigureAwait(false)).First(e => e.Prefix == entry.Prefix);
            return (existing, false);
        }
        catch (NpgsqlException exception)
        {
            throw PostgresDatabase.Unavailable(exception);
        }
    }

    public async ValueTask<IReadOnlyList<PrefixEntry>> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = database.DataSource.CreateCommand("SELECT prefix, kind, endpoints::text, created_at, owner, ttl FROM prefixes ORDER BY prefix");
            var entries = new List<PrefixEntry>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new PrefixEntry(
                    reader.GetString(0),
                    (PrefixKind)reader.GetInt32(1),
                    JsonSerializer.Deserialize(reader.GetString(2), StorageJsonContext.Default.IReadOnlyListString) ?? [],
                    reader.GetFieldValue<DateTimeOffset>(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.GetInt32(5)));
            }

            return entries;
        }
        catch (NpgsqlException exception)
        {
            throw PostgresDatabase.Unavailable(exception);
        }
    }

    public async ValueTask<(PrefixEntry Entry, bool Created)> PutDelegationAsync(PrefixEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            // One statement, so no homing can come between the check and the write: the upsert only touches a delegated row
            // (a homed one makes it return nothing), and `existing` sees the table as it was before the statement.
            await using var command = database.DataSource.CreateCommand("""
                WITH existing AS (SELECT kind FROM prefixes WHERE prefix = $1),
                stored AS (
                    INSERT INTO prefixes (prefix, kind, endpoints, created_at, owner, ttl) VALUES ($1, $2, $3::jsonb, $4, $5, $6)
                    ON CONFLICT (prefix) DO UPDATE SET endpoints = EXCLUDED.endpoints, ttl = EXCLUDED.ttl WHERE prefixes.kind = $2
                    RETURNING created_at, owner)
                SELECT stored.created_at, stored.owner, (SELECT count(*) FROM existing) = 0 FROM stored
                """);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Prefix });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)PrefixKind.Delegated });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Json(entry.Endpoints) });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = entry.CreatedAt });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)entry.Owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = entry.Ttl });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw PrefixStoreRefusals.Homed(entry.Prefix);
            }

            var stored = entry with
            {
                Kind = PrefixKind.Delegated,
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(0),
                Owner = reader.IsDBNull(1) ? null : reader.GetString(1),
            };
            return (stored, reader.GetBoolean(2));
        }
        catch (NpgsqlException exception)
        {
            throw PostgresDatabase.Unavailable(exception);
        }
    }

    public async ValueTask<bool> RemoveDelegationAsync(string prefix, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = database.DataSource.CreateCommand("""
                WITH existing AS (SELECT kind FROM prefixes WHERE prefix = $1),
                removed AS (DELETE FROM prefixes WHERE prefix = $1 AND kind = $2 RETURNING prefix)
                SELECT (SELECT count(*) FROM removed), (SELECT kind FROM existing)
                """);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)PrefixKind.Delegated });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.GetInt64(0) > 0)
            {
                return true;
            }

            return !reader.IsDBNull(1) && (PrefixKind)reader.GetInt32(1) == PrefixKind.Homed
                ? throw PrefixStoreRefusals.Homed(prefix)
                : false;
        }
        catch (NpgsqlException exception)
        {
            throw PostgresDatabase.Unavailable(exception);
        }
    }

    private static string Json(IReadOnlyList<string> endpoints) => JsonSerializer.Serialize(endpoints, StorageJsonContext.Default.IReadOnlyListString);
}
