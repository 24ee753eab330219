using Resolver.Storage.Sql;

namespace Resolver.Storage.Postgres;

/// <summary>Enterprises, API keys, read grants and the audit log in PostgreSQL: the shared <see cref="SqlAccessStore"/> on PostgreSQL.</summary>
public sealed class PostgresAccessStore(PostgresDatabase database) : SqlAccessStore(database);
