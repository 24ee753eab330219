using Resolver.Storage.Sql;

namespace Resolver.Storage.Postgres;

/// <summary>Records in PostgreSQL: the shared <see cref="SqlRecordStore"/> on PostgreSQL (a batch read is one <c>= ANY($1)</c> query).</summary>
public sealed class PostgresRecordStore(PostgresDatabase database) : SqlRecordStore(database);
