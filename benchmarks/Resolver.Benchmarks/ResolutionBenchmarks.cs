using BenchmarkDotNet.Attributes;
using Resolver.Core.Resolution;
using Resolver.Core.Security;

namespace Resolver.Benchmarks;

/// <summary>
/// The resolution path on L1 hits, unary and in a batch of 100: grammar, authority, L1, access filter and metrics, for an
/// anonymous caller (the path every factory scanner takes). Allocation budgets: benchmarks/README.md.
/// </summary>
[MemoryDiagnoser]
public class ResolutionBenchmarks
{
    private readonly Dataset.Dataset _dataset = new(Count: 1_000, Prefixes: 10);
    private BenchmarkNode _node = null!;
    private ResolutionService _resolution = null!;
    private ResolveQuery[] _one = null!;
    private ResolveQuery[] _hundred = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _node = await BenchmarkNode.StartAsync(_dataset);
        _resolution = _node.Resolution;
        _one = [ResolveQuery.For(_dataset.Identifier(0))];
        _hundred = [.. Enumerable.Range(0, 100).Select(i => ResolveQuery.For(_dataset.Identifier(i)))];
        await Hits.EnsureAsync(_resolution, _hundred); // L1 now holds them
    }

    [GlobalCleanup]
    public Task CleanupAsync() => _node.DisposeAsync().AsTask();

    [Benchmark]
    public ValueTask<ResolveOutcome[]> UnaryL1Hit() => _resolution.ResolveAsync(_one, Caller.Anonymous, CancellationToken.None);

    [Benchmark(OperationsPerInvoke = 100)]
    public ValueTask<ResolveOutcome[]> BatchOf100L1Hits() => _resolution.ResolveAsync(_hundred, Caller.Anonymous, CancellationToken.None);
}
