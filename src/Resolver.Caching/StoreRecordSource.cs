using System.Diagnostics;
using Resolver.Core.Errors;
using Resolver.Core.Storage;

namespace Resolver.Caching;

/// <summary>
/// The last stage of the resolution chain on an authoritative node: one batched query of this node's store.
/// An unreachable store is a per-key UNAVAILABLE problem, so the stages in front can answer stale.
/// </summary>
public sealed class StoreRecordSource(IRecordStore store, CacheMetrics metrics) : IRecordSource
{
    public async ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        metrics.StoreRead();
        try
        {
            var identifiers = new string[keys.Count];
            for (var i = 0; i < keys.Count; i++)
            {
                identifiers[i] = keys[i].Key;
            }

            var records = await store.GetManyAsync(identifiers, cancellationToken).ConfigureAwait(false);
            metrics.StoreDuration(started);
            var lookups = new RecordLookup[records.Count];
            var found = 0;
            for (var i = 0; i < records.Count; i++)
            {
                lookups[i] = new RecordLookup(records[i]);
                found += records[i] is null ? 0 : 1;
            }

            metrics.Lookups("store", "hit", found);
            metrics.Lookups("store", "miss", records.Count - found);
            return lookups;
        }
        catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
        {
            metrics.StoreDuration(started);
            metrics.Lookups("store", "error", keys.Count);
            var unavailable = new RecordLookup(null, Problem: exception.Problem);
            return [.. keys.Select(_ => unavailable)];
        }
    }
}
