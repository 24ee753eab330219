using System.Data;
using System.Data.Common;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Resolver.Storage.Sqlite;

/// <summary>
/// SQLite's side of the shared stores: times as UTC ticks in INTEGER columns, JSON as TEXT, a batch of keys as one JSON
/// array read by <c>json_each</c>, and every write transaction <c>BEGIN IMMEDIATE</c>.
/// </summary>
internal sealed class SqliteDialect : Sql.SqlDialect
{
    public static readonly SqliteDialect Instance = new();

    // The names of $1, $2, …: Microsoft.Data.Sqlite binds by name, and these spare a string per parameter.
    private static readonly string[] ParameterNames = [.. Enumerable.Range(1, 16).Select(i => $"${i}")];

    private SqliteDialect()
    {
    }

    // Reading the table proves the file is there and readable; SELECT 1 would not touch it.
    public override string PingSql => "SELECT count(*) FROM prefixes";

    public override string AnyOf(string parameter) => $"IN (SELECT value FROM json_each({parameter}))";

    public override string Json(string parameter) => parameter;

    // BEGIN IMMEDIATE whatever the level asked for: the write lock is taken before the first read, so a transaction's
    // checks and writes are one step (a deferred transaction would fail with SQLITE_BUSY when it first writes instead).
    public override ValueTask<DbTransaction> BeginAsync(DbConnection connection, IsolationLevel isolation, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(IsolationLevel.Serializable, deferred: false));

    // One writer at a time: a transaction waits for the lock (or fails with BUSY) rather than losing a race.
    public override bool IsLostRace(DbException exception) => false;

    public override void AddText(DbCommand command, string? value) => Add(command, value);

    public override void AddTextList(DbCommand command, IReadOnlyList<string> values) =>
        Add(command, JsonSerializer.Serialize(values, StorageJsonContext.Default.IReadOnlyListString));

    public override void AddInt32(DbCommand command, int value) => Add(command, value);

    public override void AddInt64(DbCommand command, long? value) => Add(command, value);

    public override void AddTime(DbCommand command, DateTimeOffset? value) => Add(command, value?.UtcTicks);

    public override void AddBytes(DbCommand command, byte[] value) => Add(command, value);

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => new(reader.GetInt64(ordinal), TimeSpan.Zero);

    private static void Add(DbCommand command, object? value)
    {
        var parameters = command.Parameters;
        var number = parameters.Count + 1;
        parameters.Add(new SqliteParameter(number <= ParameterNames.Length ? ParameterNames[number - 1] : $"${number}", value ?? DBNull.Value));
    }
}
