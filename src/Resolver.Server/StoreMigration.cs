using Resolver.Storage.Sqlite;

namespace Resolver.Server;

/// <summary>Brings the store's schema up to date before the server takes calls.</summary>
internal sealed class StoreMigration(SqliteDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
