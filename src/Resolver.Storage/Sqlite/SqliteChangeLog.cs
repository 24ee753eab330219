using Resolver.Storage.Sql;

namespace Resolver.Storage.Sqlite;

/// <summary>The <c>changes</c> table of the SQLite file: the shared <see cref="SqlChangeLog"/> on SQLite.</summary>
public sealed class SqliteChangeLog(SqliteDatabase database) : SqlChangeLog(database);
