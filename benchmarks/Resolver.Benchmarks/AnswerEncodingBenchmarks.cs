using System.Buffers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Resolver.Core.Resolution;
using Resolver.Server.Api;

namespace Resolver.Benchmarks;

/// <summary>
/// Turning outcomes into the bytes on the wire: one answer (ProtoMapper), and a batch answer of 100 bounded by the message
/// limit (BoundedBatchAnswer), each serialized into a reused buffer as grpc-dotnet does. The records are cached instances,
/// as on an L1 hit, so the answer messages built once per record are reused.
/// </summary>
[MemoryDiagnoser]
public class AnswerEncodingBenchmarks
{
    private readonly Dataset.Dataset _dataset = new(Count: 100, Prefixes: 10);
    private readonly ArrayBufferWriter<byte> _wire = new(1 << 20);
    private ResolveOutcome _one = null!;
    private ResolveOutcome[] _hundred = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hundred = [.. Enumerable.Range(0, 100).Select(i => new ResolveOutcome(_dataset.Identifier(i), _dataset.Record(i), null))];
        _one = _hundred[0];
    }

    [Benchmark]
    public int EncodeOneAnswer()
    {
        _wire.ResetWrittenCount();
        ProtoMapper.ToProto(_one).WriteTo(_wire);
        return _wire.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = 100)]
    public int EncodeBatchOf100()
    {
        _wire.ResetWrittenCount();
        BoundedBatchAnswer.Build(_hundred, 4 * 1024 * 1024).WriteTo(_wire);
        return _wire.WrittenCount;
    }
}
