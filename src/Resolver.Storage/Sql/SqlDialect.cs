using System.Data;
using System.Data.Common;

namespace Resolver.Storage.Sql;

/// <summary>
/// What differs between the SQL engines under the shared stores: how values are bound and read back, a few SQL fragments,
/// how a write transaction is begun and which failures are lost races. Everything else is one ADO.NET code path.
/// </summary>
/// <remarks>
/// Statements number their parameters <c>$1</c>, <c>$2</c>, …; each <c>Add…</c> call binds the next one, so a statement's
/// values are added in the order of their numbers.
/// </remarks>
internal abstract class SqlDialect
{
    /// <summary>A cheap statement whose answer shows that the database serves this store.</summary>
    public abstract string PingSql { get; }

    /// <summary>The condition "is one of the strings in the list parameter", written after the column it tests.</summary>
    public abstract string AnyOf(string parameter);

    /// <summary>A text parameter as the store's JSON column type.</summary>
    public abstract string Json(string parameter);

    /// <summary>Begins a write transaction. <paramref name="isolation"/> is what the engine is asked for where it has a choice.</summary>
    public abstract ValueTask<DbTransaction> BeginAsync(DbConnection connection, IsolationLevel isolation, CancellationToken cancellationToken);

    /// <summary>True when the engine aborted the transaction because a concurrent one won (serialization failure, deadlock).</summary>
    public abstract bool IsLostRace(DbException exception);

    public abstract void AddText(DbCommand command, string? value);

    /// <summary>Binds a list of strings for <see cref="AnyOf"/>: the whole batch as one parameter.</summary>
    public abstract void AddTextList(DbCommand command, IReadOnlyList<string> values);

    public abstract void AddInt32(DbCommand command, int value);

    public abstract void AddInt64(DbCommand command, long? value);

    public abstract void AddTime(DbCommand command, DateTimeOffset? value);

    public abstract void AddBytes(DbCommand command, byte[] value);

    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    public DateTimeOffset? ReadOptionalTime(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ReadTime(reader, ordinal);
}
