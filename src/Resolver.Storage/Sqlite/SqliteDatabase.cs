using System.Data.Common;
using Microsoft.Data.Sqlite;
using Resolver.Core.Errors;
using Resolver.Core.Storage;

namespace Resolver.Storage.Sqlite;

/// <summary>One SQLite file: opens pooled connections and brings the schema up to date.</summary>
public sealed class SqliteDatabase : IStoreSchema
{
    // Each entry moves the schema one version up; PRAGMA user_version records how far a file is.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE records (
            key        TEXT    NOT NULL PRIMARY KEY,
            prefix     TEXT    NOT NULL,
            identifier TEXT    NOT NULL,
            version    INTEGER NOT NULL,
            vals       TEXT    NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            deleted_at INTEGER NULL
        );
        CREATE INDEX records_by_prefix ON records (prefix, key);
        CREATE TABLE prefixes (
            prefix     TEXT    NOT NULL PRIMARY KEY,
            kind       INTEGER NOT NULL,
            endpoints  TEXT    NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE changes (
            seq        INTEGER PRIMARY KEY AUTOINCREMENT,
            key        TEXT    NOT NULL,
            version    INTEGER NOT NULL,
            operation  TEXT    NOT NULL,
            at         INTEGER NOT NULL
        );
        """,
        """
        ALTER TABLE prefixes ADD COLUMN owner TEXT NULL;
        CREATE TABLE enterprises (
            name       TEXT    NOT NULL PRIMARY KEY,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE api_keys (
            id         TEXT    NOT NULL PRIMARY KEY,
            enterprise TEXT    NOT NULL,
            salt       BLOB    NOT NULL,
            hash       BLOB    NOT NULL,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER NULL
        );
        CREATE TABLE grants (
            owner      TEXT    NOT NULL,
            grantee    TEXT    NOT NULL,
            prefix     TEXT    NOT NULL,
            types      TEXT    NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (owner, grantee, prefix)
        );
        CREATE TABLE audit (
            seq            INTEGER PRIMARY KEY AUTOINCREMENT,
            at             INTEGER NOT NULL,
            actor          TEXT    NOT NULL,
            operation      TEXT    NOT NULL,
            target         TEXT    NOT NULL,
            version_before INTEGER NULL,
            version_after  INTEGER NULL,
            outcome        TEXT    NOT NULL
        );
        """,
        """
        CREATE TABLE node_settings (
            name  TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,

        // Seconds a referral to a delegation may be cached; rows from before it get PrefixEntry.DefaultTtl.
        """
        ALTER TABLE prefixes ADD COLUMN ttl INTEGER NOT NULL DEFAULT 3600;
        """,
    ];

    private readonly string _connectionString;

    /// <summary>A database in the file at <paramref name="path"/>, created when missing.</summary>
    public SqliteDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 5,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public string Description => $"sqlite:{Path}";

    /// <summary>Creates the file's directory and schema, or upgrades an older schema.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

        // The file holds private values and key hashes: this user only (SQLite gives its -wal/-shm files the same mode).
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }


        // WAL lets readers run while a write commits; the setting is stored in the file.
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
        await using var read = connection.CreateCommand();
        read.CommandText = "PRAGMA user_version;";
        var version = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        for (; version < Migrations.Length; version++)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, Migrations[version], cancellationToken, (SqliteTransaction)transaction).ConfigureAwait(false);
            await ExecuteAsync(connection, $"PRAGMA user_version = {version + 1};", cancellationToken, (SqliteTransaction)transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<string> PinAsync(string name, string value, CancellationToken cancellationToken) =>
        RunAsync(async connection =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO node_settings (name, value) VALUES ($name, $value) ON CONFLICT (name) DO NOTHING; SELECT value FROM node_settings WHERE name = $name;";
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$value", value);
            return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken);

    /// <summary>An open connection from the pool.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (SqliteException exception)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw Unavailable(exception);
        }
    }

    /// <summary>Runs <paramref name="work"/> on an open connection; database failures become UNAVAILABLE.</summary>
    public async Task<T> RunAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            return await work(connection).ConfigureAwait(false);
        }
        catch (SqliteException exception)
        {
            throw Unavailable(exception);
        }
    }

    /// <summary>The problem callers see when the database fails; the cause travels as the inner exception for the log.</summary>
    internal static ResolverException Unavailable(DbException exception) => new(
        new Problem(ErrorKind.Unavailable, Reasons.StoreUnavailable, "the record store is unavailable; retry later (the server log has the cause)"),
        exception);

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
