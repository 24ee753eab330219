using Resolver.Storage.Sql;

namespace Resolver.Storage.Sqlite;

/// <summary>Homed and delegated prefixes in the embedded SQLite file: the shared <see cref="SqlPrefixStore"/> on SQLite.</summary>
public sealed class SqlitePrefixStore(SqliteDatabase database) : SqlPrefixStore(database);
