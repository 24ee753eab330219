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
                "INSERT INTO prefixes (prefix, kind, endpoints, created_at, owner) VALUES ($1, $2, $3::jsonb, $4, $5) ON CONFLICT (prefix) DO NOTHING");
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Prefix });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)entry.Kind });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = JsonSerializer.Serialize(entry.Endpoints, StorageJsonContext.Default.IReadOnlyListString) });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = entry.CreatedAt });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)entry.Owner ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
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
            await using var command = database.DataSource.CreateCommand("SELECT prefix, kind, endpoints::text, created_at, owner FROM prefixes ORDER BY prefix");
            var entries = new List<PrefixEntry>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new PrefixEntry(
                    reader.GetString(0),
                    (PrefixKind)reader.GetInt32(1),
                    JsonSerializer.Deserialize(reader.GetString(2), StorageJsonContext.Default.IReadOnlyListString) ?? [],
                    reader.GetFieldValue<DateTimeOffset>(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4)));
            }

            return entries;
        }
        catch (NpgsqlException exception)
        {
            throw PostgresDatabase.Unavailable(exception);
        }
    }
}
