using Resolver.Storage.Sql;

namespace Resolver.Storage.Postgres;

/// <summary>The <c>changes</c> table in PostgreSQL: the shared <see cref="SqlChangeLog"/> on PostgreSQL.</summary>
public sealed class PostgresChangeLog(PostgresDatabase database) : SqlChangeLog(database);
