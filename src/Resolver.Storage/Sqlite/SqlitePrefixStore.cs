using System.Data;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Resolver.Core.Prefixes;

namespace Resolver.Storage.Sqlite;

/// <summary>Homed and delegated prefixes in the embedded SQLite file.</summary>
public sealed class SqlitePrefixStore(SqliteDatabase database) : IPrefixStore
{
    private const string Columns = "prefix, kind, endpoints, created_at, owner, ttl";

    public async ValueTask<(PrefixEntry Entry, bool Created)> AddAsync(PrefixEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO prefixes ({Columns}) VALUES ($prefix, $kind, $endpoints, $created_at, $owner, $ttl) ON CONFLICT (prefix) DO NOTHING";
            AddParameters(insert, entry);
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
            command.CommandText = $"SELECT {Columns} FROM prefixes ORDER BY prefix";
            var entries = new List<PrefixEntry>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(Read(reader));
            }

            return entries;
        }
        catch (SqliteException exception)
        {
            throw SqliteDatabase.Unavailable(exception);
        }
    }

    public async ValueTask<(PrefixEntry Entry, bool Created)> PutDelegationAsync(PrefixEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);

            // BEGIN IMMEDIATE: the write lock before the read, so a concurrent homing cannot slip between the check and the write.
            await using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            var existing = await FindAsync(connection, transaction, entry.Prefix, cancellationToken).ConfigureAwait(false);
            if (existing is { Kind: PrefixKind.Homed })
            {
                throw PrefixStoreRefusals.Homed(entry.Prefix);
            }

            var stored = existing is null
                ? entry with { Kind = PrefixKind.Delegated }
                : existing with { Endpoints = entry.Endpoints, Ttl = entry.Ttl };
            await using var write = connection.CreateCommand();
            write.Transaction = transaction;
            write.CommandText = existing is null
                ? $"INSERT INTO prefixes ({Columns}) VALUES ($prefix, $kind, $endpoints, $created_at, $owner, $ttl)"
                : "UPDATE prefixes SET endpoints = $endpoints, ttl = $ttl WHERE prefix = $prefix AND kind = $kind";
            AddParameters(write, stored);
            await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return (stored, existing is null);
        }
        catch (SqliteException exception)
        {
            throw SqliteDatabase.Unavailable(exception);
        }
    }

    public async ValueTask<bool> RemoveDelegationAsync(string prefix, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            switch (await FindAsync(connection, transaction, prefix, cancellationToken).ConfigureAwait(false))
            {
                case null:
                    return false;
                case { Kind: PrefixKind.Homed }:
                    throw PrefixStoreRefusals.Homed(prefix);
            }

            await using var delete = connection.CreateCommand();
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM prefixes WHERE prefix = $prefix AND kind = $kind";
            delete.Parameters.AddWithValue("$prefix", prefix);
            delete.Parameters.AddWithValue("$kind", (int)PrefixKind.Delegated);
            var removed = await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return removed;
        }
        catch (SqliteException exception)
        {
            throw SqliteDatabase.Unavailable(exception);
        }
    }

    private static async Task<PrefixEntry?> FindAsync(SqliteConnection connection, SqliteTransaction transaction, string prefix, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {Columns} FROM prefixes WHERE prefix = $prefix";
        command.Parameters.AddWithValue("$prefix", prefix);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    private static void AddParameters(SqliteCommand command, PrefixEntry entry)
    {
        command.Parameters.AddWithValue("$prefix", entry.Prefix);
        command.Parameters.AddWithValue("$kind", (int)entry.Kind);
        command.Parameters.AddWithValue("$endpoints", JsonSerializer.Serialize(entry.Endpoints, StorageJsonContext.Default.IReadOnlyListString));
        command.Parameters.AddWithValue("$created_at", entry.CreatedAt.UtcTicks);
        command.Parameters.AddWithValue("$owner", (object?)entry.Owner ?? DBNull.Value);
        command.Parameters.AddWithValue("$ttl", entry.Ttl);
    }

    private static PrefixEntry Read(SqliteDataReader reader) => new(
        reader.GetString(0),
        (PrefixKind)reader.GetInt32(1),
        JsonSerializer.Deserialize(reader.GetString(2), StorageJsonContext.Default.IReadOnlyListString) ?? [],
        new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetInt32(5));
}
