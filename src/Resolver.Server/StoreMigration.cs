using Resolver.Core.Storage;

namespace Resolver.Server;

/// <summary>Brings the store's schema up to date before the server takes calls.</summary>
internal sealed class StoreMigration(IStoreSchema schema) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => schema.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
