using System.Text.Json;
using Microsoft.Data.Sqlite;
using Resolver.Core.Prefixes;

namespace Resolver.Storage.Sqlite;

/// <summary>Homed and delegated prefixes in the embedded SQLite file.</summary>
public sealed class SqlitePrefixStore(SqliteDatabase database) : IPrefixStore
{
    public async ValueTask<(PrefixEntry Entry, bool Created)> AddAsync(PrefixEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO prefixes (prefix, kind, endpoints, created_at, owner) VALUES ($prefix, $kind, $endpoints, $created_at, $owner) ON CONFLICT (prefix) DO NOTHING";
            insert.Parameters.AddWithValue("$owner", (object?)entry.Owner ?? DBNull.Value);
            insert.Parameters.AddWithValue("$prefix", entry.Prefix);
            insert.Parameters.AddWithValue("$kind", (int)entry.Kind);
            insert.Parameters.AddWithValue("$endpoints", JsonSerializer.Serialize(entry.Endpoints, StorageJsonContext.Default.IReadOnlyListString));
            insert.Parameters.AddWithValue("$created_at", entry.CreatedAt.UtcTicks);
            if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                return (entry, true);
            }

            var existing = (await ListAsync(cancellationToken).ConfigureAwait(false)).First(e => e.Prefix == entry.Prefix);
            return (existing, false);
        }
        catch (SqliteException exception)
        {
            throw SqliteDatabase.Unavailable(exception);
        }
    }

    public async ValueTask<IReadOnlyList<PrefixEntry>> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT prefix, kind, endpoints, created_at, owner FROM prefixes ORDER BY prefix";
            var entries = new List<PrefixEntry>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new PrefixEntry(
                    reader.GetString(0),
                    (PrefixKind)reader.GetInt32(1),
                    JsonSerializer.Deserialize(reader.GetString(2), StorageJsonContext.Default.IReadOnlyListString) ?? [],
                    new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
                    reader.IsDBNull(4) ? null : reader.GetString(4)));
            }

            return entries;
        }
        catch (SqliteException exception)
        {
            throw SqliteDatabase.Unavailable(exception);
        }
    }
}
