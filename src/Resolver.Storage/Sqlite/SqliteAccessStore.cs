using Resolver.Storage.Sql;

namespace Resolver.Storage.Sqlite;

/// <summary>Enterprises, API keys, read grants and the audit log in the embedded SQLite file: the shared <see cref="SqlAccessStore"/> on SQLite.</summary>
public sealed class SqliteAccessStore(SqliteDatabase database) : SqlAccessStore(database);
