using Grpc.Net.Client;
using Proto = Resolver.Protocol.V1;

namespace Resolver.Dataset;

/// <summary>
/// Resolves every identifier of a <see cref="Dataset"/> once, in order, in batches, so that a server's caches (its Redis
/// tier above all) hold the whole dataset before a random-access case is measured. Four batches are in flight at once.
/// </summary>
internal static class CacheWarmer
{
    /// <summary>Resolves all identifiers at <paramref name="server"/>; returns how many were not answered OK.</summary>
    public static async Task<long> WarmAsync(Dataset dataset, Uri server, int batchSize, Action<int> progress, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(server, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
        var client = new Proto.Resolution.ResolutionClient(channel);
        long failed = 0;
        var next = 0;
        async Task WorkerAsync()
        {
            while (Interlocked.Add(ref next, batchSize) - batchSize is var start && start < dataset.Count)
            {
                var request = new Proto.BatchResolveRequest();
                for (var i = start; i < Math.Min(start + batchSize, dataset.Count); i++)
                {
                    request.Requests.Add(new Proto.ResolveRequest { Identifier = dataset.Identifier(i) });
                }

                var response = await client.BatchResolveAsync(request, cancellationToken: cancellationToken);
                Interlocked.Add(ref failed, response.Results.Count(result => result.Status.Code != 0));
                if ((start / batchSize) % 100 == 99)
                {
                    progress(start + batchSize);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => WorkerAsync()));
        return failed;
    }
}
