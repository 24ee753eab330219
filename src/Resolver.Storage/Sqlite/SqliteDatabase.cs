using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;
using Resolver.Storage.Sql;

namespace Resolver.Storage.Sqlite;

/// <summary>One SQLite file for the shared stores: pooled connections, the SQLite dialect, and the file's schema migrations.</summary>
[SuppressMessage("Design", "CA1001", Justification = "The data source holds nothing to release: connections come from Microsoft.Data.Sqlite's pool, which outlives it.")]
public sealed class SqliteDatabase : SqlDatabase
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

        // `resolver key list` and the per-enterprise key cap read one enterprise's keys, not the table.
        """
        CREATE INDEX api_keys_by_enterprise ON api_keys (enterprise, created_at);
        """,
    ];

    private readonly SqliteDataSource _connections;

    /// <summary>A database in the file at <paramref name="path"/>, created when missing.</summary>
    public SqliteDatabase(string path)
        : base(SqliteDialect.Instance)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connections = new SqliteDataSource(new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 5,
        }.ToString());
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public override string Description => $"sqlite:{Path}";

    public override string Identity => $"sqlite:{Path}";

    internal override DbDataSource Connections => _connections;

    /// <summary>Creates the file's directory and schema, or upgrades an older schema.</summary>
    public override async Task MigrateAsync(CancellationToken cancellationToken)
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
            await ExecuteAsync(connection, Migrations[version], cancellationToken, transaction).ConfigureAwait(false);
            await ExecuteAsync(connection, $"PRAGMA user_version = {version + 1};", cancellationToken, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An open connection from the pool, for work outside the stores (bulk loads, tests); failing to open is UNAVAILABLE.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) =>
        (SqliteConnection)await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken, DbTransaction? transaction = null)
    {
        await using var command = connection.Command(sql, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
