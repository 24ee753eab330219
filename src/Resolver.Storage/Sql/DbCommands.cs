using System.Data.Common;

namespace Resolver.Storage.Sql;

/// <summary>The two ways the stores use a command: made on a connection (inside a transaction or not), and read to the end.</summary>
internal static class DbCommands
{
    /// <summary>A command for <paramref name="sql"/> on <paramref name="connection"/>; SQLite requires the open transaction to be named.</summary>
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Every row the command returns, each turned into a <typeparamref name="T"/> by <paramref name="read"/>.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(this DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken, int capacity = 0)
    {
        var rows = new List<T>(capacity);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
