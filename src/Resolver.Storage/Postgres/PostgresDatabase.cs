using System.Data.Common;
using Npgsql;
using Resolver.Storage.Sql;

namespace Resolver.Storage.Postgres;

/// <summary>
/// One PostgreSQL database for the shared stores, behind one pooled <see cref="NpgsqlDataSource"/>. The SQL stays within
/// what PostgreSQL-compatible distributed engines (CockroachDB, YugabyteDB, Citus) accept: no advisory locks,
/// no LISTEN/NOTIFY, idempotent DDL, <c>INSERT … ON CONFLICT</c>.
/// </summary>
public sealed class PostgresDatabase : SqlDatabase, IAsyncDisposable
{
    // Idempotent steps: replicas that start together may run them at the same time.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE IF NOT EXISTS records (
            key        TEXT COLLATE "C" NOT NULL PRIMARY KEY,
            prefix     TEXT COLLATE "C" NOT NULL,
            identifier TEXT        NOT NULL,
            version    BIGINT      NOT NULL,
            vals       JSONB       NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL,
            deleted_at TIMESTAMPTZ NULL
        );
        CREATE INDEX IF NOT EXISTS records_by_prefix ON records (prefix, key);
        CREATE TABLE IF NOT EXISTS prefixes (
            prefix     TEXT COLLATE "C" NOT NULL PRIMARY KEY,
            kind       INTEGER     NOT NULL,
            endpoints  JSONB       NOT NULL,
            created_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE IF NOT EXISTS changes (
            seq        BIGSERIAL   PRIMARY KEY,
            key        TEXT        NOT NULL,
            version    BIGINT      NOT NULL,
            operation  TEXT        NOT NULL,
            at         TIMESTAMPTZ NOT NULL
        );
        """,
        """
        ALTER TABLE prefixes ADD COLUMN IF NOT EXISTS owner TEXT NULL;
        CREATE TABLE IF NOT EXISTS enterprises (
            name       TEXT        NOT NULL PRIMARY KEY,
            created_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE IF NOT EXISTS api_keys (
            id         TEXT        NOT NULL PRIMARY KEY,
            enterprise TEXT        NOT NULL,
            salt       BYTEA       NOT NULL,
            hash       BYTEA       NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            revoked_at TIMESTAMPTZ NULL
        );
        CREATE TABLE IF NOT EXISTS grants (
            owner      TEXT        NOT NULL,
            grantee    TEXT        NOT NULL,
            prefix     TEXT        NOT NULL,
            types      JSONB       NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (owner, grantee, prefix)
        );
        CREATE TABLE IF NOT EXISTS audit (
            seq            BIGSERIAL   PRIMARY KEY,
            at             TIMESTAMPTZ NOT NULL,
            actor          TEXT        NOT NULL,
            operation      TEXT        NOT NULL,
            target         TEXT        NOT NULL,
            version_before BIGINT      NULL,
            version_after  BIGINT      NULL,
            outcome        TEXT        NOT NULL
        );
        """,

        // From here on steps need not be idempotent: the runner reads its ledger and applies each step once.
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

    /// <summary>A database reached with an Npgsql connection string.</summary>
    public PostgresDatabase(string connectionString)
        : base(PostgresDialect.Instance)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);

        // Fail fast: a resolver must answer from its caches (or say UNAVAILABLE) rather than wait 15 s for a dead database.
        if (!connectionString.Contains("timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 3;
            builder.CommandTimeout = 10;
        }

        Description = $"postgres:Host={builder.Host};Port={builder.Port};Database={builder.Database};Username={builder.Username}";
        Identity = $"postgres:Host={builder.Host};Port={builder.Port};Database={builder.Database};Search Path={builder.SearchPath}";
        DataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>The pooled connections.</summary>
    public NpgsqlDataSource DataSource { get; }

    public override string Description { get; }

    public override string Identity { get; }

    internal override DbDataSource Connections => DataSource;

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        // Two replicas migrating at once: each step commits with its ledger row, so the loser's step fails (the
        // catalog — a table, object or column already there — or the ledger's key) and rolls back; it reads the
        // ledger again and finds the step applied. A replica that keeps losing can lose once per step, so the
        // retries follow the number of steps (no advisory lock: distributed PostgreSQL-compatible engines lack it).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await MigrateOnceAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PostgresException exception) when (attempt <= Migrations.Length + 1 && exception.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.DuplicateColumn)
            {
            }
            catch (NpgsqlException exception)
            {
                throw Unavailable(exception);
            }
        }
    }

    private async Task MigrateOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = new HashSet<int>();
        await using (var ledger = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
        await using (var reader = await ledger.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        for (var version = 1; version <= Migrations.Length; version++)
        {
            if (applied.Contains(version))
            {
                continue;
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var step = new NpgsqlCommand(Migrations[version - 1], connection, transaction))
            {
                await step.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version) VALUES ($1)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
