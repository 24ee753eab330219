using Resolver.Core.Errors;

namespace Resolver.Core.Storage;

/// <summary>The read path without caches: straight to the store, an outage answered per key.</summary>
public sealed class StoreRecordSource(IRecordStore store) : IRecordSource
{
    public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        try
        {
            var records = await store.GetManyAsync(keys, cancellationToken).ConfigureAwait(false);
            return [.. records.Select(record => new RecordLookup(record))];
        }
        catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
        {
            return [.. keys.Select(_ => new RecordLookup(null, Problem: exception.Problem))];
        }
    }
}
