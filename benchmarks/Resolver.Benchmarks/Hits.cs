using Resolver.Core.Resolution;
using Resolver.Core.Security;

namespace Resolver.Benchmarks;

/// <summary>Warms a suite's keys and refuses to measure anything but records found (a suite of errors measures nothing).</summary>
internal static class Hits
{
    public static async Task EnsureAsync(ResolutionService resolution, IReadOnlyList<ResolveQuery> queries)
    {
        var outcomes = await resolution.ResolveAsync(queries, Caller.Anonymous, CancellationToken.None);
        if (outcomes.FirstOrDefault(o => o.Record is null) is { } failed)
        {
            throw new InvalidOperationException($"{failed.Identifier} was not found ({failed.Problem?.Message}): the suite would measure errors");
        }
    }
}
