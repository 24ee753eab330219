using BenchmarkDotNet.Attributes;
using Resolver.Core.Identifiers;

namespace Resolver.Benchmarks;

/// <summary>The grammar is on every request's path: parse cost and allocations per identifier.</summary>
[MemoryDiagnoser]
public class IdentifierParserBenchmarks
{
    private readonly IdentifierParser _parser = IdentifierParser.Default;

    [Params("88.168.1/ABC-123", "88.118.8/JXDY2106023-产品-批次-0001", "88..1/x")]
    public string Input { get; set; } = "";

    [Benchmark]
    public bool TryParse() => _parser.TryParse(Input, out _, out _);
}
