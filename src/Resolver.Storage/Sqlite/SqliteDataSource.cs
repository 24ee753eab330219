using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Resolver.Storage.Sqlite;

/// <summary>
/// SQLite connections as a <see cref="DbDataSource"/>, which Microsoft.Data.Sqlite does not provide: each one is new and
/// comes from the driver's own pool for the connection string.
/// </summary>
internal sealed class SqliteDataSource(string connectionString) : DbDataSource
{
    public override string ConnectionString => connectionString;

    protected override DbConnection CreateDbConnection() => new SqliteConnection(connectionString);
}
