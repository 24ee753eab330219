using Npgsql;
using NpgsqlTypes;
using Resolver.Core.Prefixes;
using Resolver.Storage;
using Resolver.Storage.Postgres;
using Resolver.Storage.Sqlite;

namespace Resolver.Dataset;

/// <summary>
/// Loads a <see cref="Dataset"/> into a Resolver store, as fast as the store takes rows: the schema by the server's own
/// migrations, the prefixes through the prefix store, the records in bulk (one SQLite transaction with a prepared
/// insert; PostgreSQL's binary <c>COPY</c>). The record rows are the ones the server writes (values encoded by
/// <see cref="ValueCodec"/>), without change-log or audit rows: a benchmark load is not a history.
/// </summary>
internal static class StoreLoader
{
    /// <summary>Loads into the SQLite file at <paramref name="path"/> (created when missing; its records table must be empty).</summary>
    public static async Task LoadSqliteAsync(Dataset dataset, string path, Action<int> progress, CancellationToken cancellationToken)
    {
        var database = new SqliteDatabase(path);
        await database.MigrateAsync(cancellationToken);
        await HomeAsync(new SqlitePrefixStore(database), dataset, cancellationToken);

        await using var connection = await database.OpenAsync(cancellationToken);
        await EnsureEmptyAsync(connection.CreateCommand(), path);
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous = OFF;"; // this connection only: a failed load is simply loaded again
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var transaction = connection.BeginTransaction();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO records (prefix, key, identifier, version, vals, created_at, updated_at) VALUES ($prefix, $key, $identifier, 1, $vals, $created, $created)";
        var prefix = insert.Parameters.Add("$prefix", Microsoft.Data.Sqlite.SqliteType.Text);
        var key = insert.Parameters.Add("$key", Microsoft.Data.Sqlite.SqliteType.Text);
        var identifier = insert.Parameters.Add("$identifier", Microsoft.Data.Sqlite.SqliteType.Text);
        var vals = insert.Parameters.Add("$vals", Microsoft.Data.Sqlite.SqliteType.Text);
        insert.Parameters.AddWithValue("$created", Dataset.Created.UtcTicks);
        insert.Prepare();
        for (var i = 0; i < dataset.Count; i++)
        {
            var record = dataset.Record(i);
            prefix.Value = record.Prefix;
            key.Value = record.Key;
            identifier.Value = record.Identifier;
            vals.Value = ValueCodec.Encode(record.Values);
            await insert.ExecuteNonQueryAsync(cancellationToken);
            Report(progress, i);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Loads into the PostgreSQL database <paramref name="connectionString"/> names (its records table must be empty).</summary>
    public static async Task LoadPostgresAsync(Dataset dataset, string connectionString, Action<int> progress, CancellationToken cancellationToken)
    {
        await using var database = new PostgresDatabase(connectionString);
        await database.MigrateAsync(cancellationToken);
        await HomeAsync(new PostgresPrefixStore(database), dataset, cancellationToken);

        // A bulk load is one long statement: no 10 s command timeout here.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await EnsureEmptyAsync(connection.CreateCommand(), builder.Database ?? "the database");

        // COPY FREEZE (PostgreSQL manual, "COPY"; "Populating a Database") writes the rows frozen with their hint bits
        // set, and from PostgreSQL 14 on the visibility map too, as a table looks once vacuum has passed: the first read
        // of each page then does not dirty it, and the vacuum that inserts trigger finds every page all-frozen while
        // the table is being measured. FREEZE needs the table truncated in the same transaction; it is empty (checked above).
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var truncate = new NpgsqlCommand("TRUNCATE records", connection, transaction))
        {
            await truncate.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY records (key, prefix, identifier, version, vals, created_at, updated_at) FROM STDIN (FORMAT BINARY, FREEZE)", cancellationToken))
        {
            for (var i = 0; i < dataset.Count; i++)
            {
                var record = dataset.Record(i);
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(record.Key, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(record.Prefix, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(record.Identifier, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(record.Version, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(ValueCodec.Encode(record.Values), NpgsqlDbType.Jsonb, cancellationToken);
                await copy.WriteAsync(record.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(record.UpdatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                Report(progress, i);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);

        // Fresh statistics, so the planner picks the primary key for = ANY() from the first query on.
        await using var analyze = new NpgsqlCommand("ANALYZE records", connection);
        await analyze.ExecuteNonQueryAsync(cancellationToken);
    }

    // Every enterprise prefix is homed, as an operator would home each enterprise it serves.
    private static async Task HomeAsync(IPrefixStore prefixes, Dataset dataset, CancellationToken cancellationToken)
    {
        for (var enterprise = 1; enterprise <= dataset.Prefixes; enterprise++)
        {
            await prefixes.AddAsync(new PrefixEntry(Dataset.Prefix(enterprise), PrefixKind.Homed, [], Dataset.Created), cancellationToken);
        }
    }

    private static async Task EnsureEmptyAsync(System.Data.Common.DbCommand command, string where)
    {
        await using (command)
        {
            command.CommandText = "SELECT EXISTS (SELECT 1 FROM records)";
            if (Convert.ToBoolean(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException($"{where} already holds records: load the dataset into a new database");
            }
        }
    }

    private static void Report(Action<int> progress, int i)
    {
        if ((i + 1) % 100_000 == 0)
        {
            progress(i + 1);
        }
    }
}
