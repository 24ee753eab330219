using Resolver.Storage.Sql;

namespace Resolver.Storage.Sqlite;

/// <summary>Records in the embedded SQLite file: the shared <see cref="SqlRecordStore"/> on SQLite.</summary>
public sealed class SqliteRecordStore(SqliteDatabase database) : SqlRecordStore(database);
