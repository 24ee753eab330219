using System.Data.Common;
using Resolver.Core.Errors;
using Resolver.Core.Storage;

namespace Resolver.Storage.Sql;

/// <summary>
/// One database the shared stores run on: its pooled connections (<see cref="DbDataSource"/>), its <see cref="SqlDialect"/>,
/// and the mapping of its failures to UNAVAILABLE. The schema migrations stay with each engine.
/// </summary>
public abstract class SqlDatabase : IStoreSchema
{
    private protected SqlDatabase(SqlDialect dialect) => Dialect = dialect;

    public abstract string Description { get; }

    public abstract string Identity { get; }

    internal SqlDialect Dialect { get; }

    /// <summary>The engine's pooled connections.</summary>
    internal abstract DbDataSource Connections { get; }

    public abstract Task MigrateAsync(CancellationToken cancellationToken);

    public Task<string> PinAsync(string name, string value, CancellationToken cancellationToken) =>
        RunAsync(async connection =>
        {
            // Insert unless present, then read: a pinned row is never changed, so the read sees the first value whoever wrote it.
            await using (var insert = connection.Command("INSERT INTO node_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"))
            {
                Dialect.AddText(insert, name);
                Dialect.AddText(insert, value);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using var read = connection.Command("SELECT value FROM node_settings WHERE name = $1");
            Dialect.AddText(read, name);
            return (string)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken);

    /// <summary>An open connection from the pool; failing to connect is UNAVAILABLE.</summary>
    internal async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Connections.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException exception)
        {
            throw Unavailable(exception);
        }
    }

    /// <summary>Runs <paramref name="work"/> on an open connection; database failures become UNAVAILABLE.</summary>
    internal async Task<T> RunAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work(connection).ConfigureAwait(false);
        }
        catch (DbException exception)
        {
            throw Unavailable(exception);
        }
    }

    /// <summary>The problem callers see when the database fails; the cause travels as the inner exception for the log.</summary>
    internal static ResolverException Unavailable(DbException exception) => new(
        new Problem(ErrorKind.Unavailable, Reasons.StoreUnavailable, "the record store is unavailable; retry later (the server log has the cause)"),
        exception);
}
