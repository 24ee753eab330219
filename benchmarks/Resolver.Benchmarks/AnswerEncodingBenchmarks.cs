using System.Buffers;
using BenchmarkDotNet.Attributes;
using Grpc.Core;
using Resolver.Core.Resolution;
using Resolver.Server.Api;

namespace Resolver.Benchmarks;

/// <summary>
/// Turning outcomes into the bytes on the wire: one answer (ProtoMapper), and a batch answer of 100 bounded by the message
/// limit (BoundedBatchAnswer), each written by the server's own response marshallers (AnswerMarshallers) into a reused
/// buffer, as grpc-dotnet has them do. The records are cached instances answered before, as on an L1 hit, so the answer
/// messages and their encodings built once per record are reused.
/// </summary>
[MemoryDiagnoser]
public class AnswerEncodingBenchmarks
{
    private readonly Dataset.Dataset _dataset = new(Count: 100, Prefixes: 10);
    private readonly Wire _wire = new();
    private ResolveOutcome _one = null!;
    private ResolveOutcome[] _hundred = null!;

    [GlobalSetup]
    public void Setup()
    {
        _hundred = [.. Enumerable.Range(0, 100).Select(i => new ResolveOutcome(_dataset.Identifier(i), _dataset.Record(i), null, HeldByL1: true))];
        _one = _hundred[0];
        EncodeBatchOf100(); // each record's first answer: from the second on, answers copy the record's encoding
    }

    [Benchmark]
    public int EncodeOneAnswer()
    {
        _wire.Reset();
        AnswerMarshallers.Result.ContextualSerializer(ProtoMapper.ToProto(_one), _wire);
        return _wire.Written.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = 100)]
    public int EncodeBatchOf100()
    {
        _wire.Reset();
        AnswerMarshallers.Batch.ContextualSerializer(BoundedBatchAnswer.Build(_hundred, 4 * 1024 * 1024), _wire);
        return _wire.Written.WrittenCount;
    }

    // What grpc-dotnet gives a marshaller: a payload length to announce and a buffer to write into.
    private sealed class Wire : SerializationContext
    {
        public ArrayBufferWriter<byte> Written { get; } = new(1 << 20);

        public void Reset() => Written.ResetWrittenCount();

        public override void SetPayloadLength(int payloadLength)
        {
        }

        public override IBufferWriter<byte> GetBufferWriter() => Written;

        public override void Complete()
        {
        }

        public override void Complete(byte[] payload) => Written.Write(payload);
    }
}
