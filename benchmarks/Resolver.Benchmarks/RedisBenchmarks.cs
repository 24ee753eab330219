using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Resolver.Core.Resolution;
using Resolver.Core.Security;

namespace Resolver.Benchmarks;

/// <summary>
/// The Redis tier's batch path: 100 identifiers resolved with L1 off (<c>--l1-max-entries 1</c>), so every one is read
/// from Redis in one MGET and decoded. Starts its own redis-server on a free loopback port.
/// </summary>
[MemoryDiagnoser]
public class RedisBenchmarks
{
    private readonly Dataset.Dataset _dataset = new(Count: 1_000, Prefixes: 10);
    private Process _redis = null!;
    private BenchmarkNode _node = null!;
    private ResolutionService _resolution = null!;
    private ResolveQuery[] _hundred = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var port = BenchmarkNode.FreePort();
        try
        {
            _redis = Process.Start(new ProcessStartInfo("redis-server", ["--port", $"{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]) { RedirectStandardOutput = true })!;
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("redis-server was not found: apt-get install -y redis-server (./test.sh installs it)", exception);
        }

        _node = await BenchmarkNode.StartAsync(_dataset, "--redis", $"127.0.0.1:{port}", "--l1-max-entries", "1", "--cache-ttl-cap", "86400");
        _resolution = _node.Resolution;
        _hundred = [.. Enumerable.Range(0, 100).Select(i => ResolveQuery.For(_dataset.Identifier(i)))];
        await Hits.EnsureAsync(_resolution, _hundred); // Redis now holds them (L1 keeps nothing)
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _node.DisposeAsync();
        _redis.Kill();
        await _redis.WaitForExitAsync();
        _redis.Dispose();
    }

    [Benchmark(OperationsPerInvoke = 100)]
    public ValueTask<ResolveOutcome[]> BatchOf100RedisHits() => _resolution.ResolveAsync(_hundred, Caller.Anonymous, CancellationToken.None);
}
