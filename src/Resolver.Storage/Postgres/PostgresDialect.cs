using System.Data;
using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace Resolver.Storage.Postgres;

/// <summary>
/// PostgreSQL's side of the shared stores: typed positional parameters (no boxing), TIMESTAMPTZ, JSONB, a batch of keys as
/// one array for <c>= ANY</c>, and serialization failures as lost races. Nothing here leaves what CockroachDB, YugabyteDB
/// and Citus accept.
/// </summary>
internal sealed class PostgresDialect : Sql.SqlDialect
{
    public static readonly PostgresDialect Instance = new();

    private PostgresDialect()
    {
    }

    public override string PingSql => "SELECT 1";

    public override string AnyOf(string parameter) => $"= ANY({parameter})";

    public override string Json(string parameter) => $"{parameter}::jsonb";

    public override async ValueTask<DbTransaction> BeginAsync(DbConnection connection, IsolationLevel isolation, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(isolation, cancellationToken).ConfigureAwait(false);

    public override bool IsLostRace(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected };

    // A null needs its type named: PostgreSQL cannot infer it from DBNull.
    public override void AddText(DbCommand command, string? value) =>
        Add(command, value is null ? Null(NpgsqlDbType.Text) : new NpgsqlParameter<string> { TypedValue = value });

    public override void AddTextList(DbCommand command, IReadOnlyList<string> values) =>
        Add(command, new NpgsqlParameter<string[]> { TypedValue = values as string[] ?? [.. values] });

    public override void AddInt32(DbCommand command, int value) => Add(command, new NpgsqlParameter<int> { TypedValue = value });

    public override void AddInt64(DbCommand command, long? value) =>
        Add(command, value is { } number ? new NpgsqlParameter<long> { TypedValue = number } : Null(NpgsqlDbType.Bigint));

    public override void AddTime(DbCommand command, DateTimeOffset? value) =>
        Add(command, value is { } time ? new NpgsqlParameter<DateTimeOffset> { TypedValue = time } : Null(NpgsqlDbType.TimestampTz));

    public override void AddBytes(DbCommand command, byte[] value) => Add(command, new NpgsqlParameter<byte[]> { TypedValue = value });

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static NpgsqlParameter Null(NpgsqlDbType type) => new() { Value = DBNull.Value, NpgsqlDbType = type };

    private static void Add(DbCommand command, NpgsqlParameter parameter) => ((NpgsqlCommand)command).Parameters.Add(parameter);
}
