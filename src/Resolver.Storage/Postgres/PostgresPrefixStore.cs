using Resolver.Storage.Sql;

namespace Resolver.Storage.Postgres;

/// <summary>Homed and delegated prefixes in PostgreSQL: the shared <see cref="SqlPrefixStore"/> on PostgreSQL.</summary>
public sealed class PostgresPrefixStore(PostgresDatabase database) : SqlPrefixStore(database);
