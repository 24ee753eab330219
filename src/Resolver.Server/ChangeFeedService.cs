using Resolver.Core.Storage;

namespace Resolver.Server;

/// <summary>Runs the node's one <see cref="ChangeFeed"/> for the life of the host.</summary>
internal sealed class ChangeFeedService(ChangeFeed feed) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await feed.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }
}
