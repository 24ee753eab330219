using System.Buffers;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Resolver.Core.Records;
using Resolver.Server.Api;
using Proto = Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// The answer marshallers copy each record's encoding instead of encoding it again: what they write must parse back to
/// the very answer the generated marshaller would have sent, field for field, for every shape an answer takes.
/// </summary>
public sealed class AnswerMarshallersTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Result_WithAnEncodedRecord_ParsesBackToTheSameAnswer_OfTheSameSize()
    {
        var answer = new Proto.ResolveResult { Identifier = "88.100.1/item-1", Status = new Proto.ItemStatus(), Record = Encoded(Record(1)), Stale = true };
        answer.Trace.Add(new Proto.Hop { Endpoint = "http://site-a:5380", Prefix = "88.100", Code = 0, Cached = true, Elapsed = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(3)) });
        var expected = answer.Clone();

        var written = Serialize(AnswerMarshallers.For(GeneratedResult), answer);

        Assert.Equal(expected, Proto.ResolveResult.Parser.ParseFrom(written));
        Assert.Equal(expected.CalculateSize(), written.Length);
        Assert.Equal(written.Length, AnswerMarshallers.SizeOf(answer));
        Assert.Equal(expected, answer); // the answer itself is left as it was
    }

    [Fact]
    public void Result_WithARecordMessageOfItsOwn_IsEncodedAsGenerated()
    {
        var answer = new Proto.ResolveResult { Identifier = "88.100.1/item-2", Status = new Proto.ItemStatus(), Record = ProtoMapper.ToProto(Record(2)) };

        var written = Serialize(AnswerMarshallers.For(GeneratedResult), answer);

        Assert.Equal(answer.ToByteArray(), written);
    }

    [Fact]
    public void Batch_OfMixedAnswers_ParsesBackToTheSameAnswers_InOrder()
    {
        var shared = Encoded(Record(3));
        var response = new Proto.BatchResolveResponse();
        response.Results.Add(new Proto.ResolveResult { Identifier = "88.100.1/item-3", Status = new Proto.ItemStatus(), Record = shared });
        response.Results.Add(new Proto.ResolveResult { Identifier = "88.100.1/missing", Status = new Proto.ItemStatus { Code = 5, Message = "not found", Problem = new Proto.Problem { Reason = "not-found" } } });
        response.Results.Add(new Proto.ResolveResult { Identifier = "88.100.1/item-3", Status = new Proto.ItemStatus(), Record = shared });
        response.Results.Add(new Proto.ResolveResult { Identifier = "88.200.1/x", Status = new Proto.ItemStatus(), Referral = new Proto.Referral { Prefix = "88.200", Ttl = 60, Endpoints = { "http://b:5380" } } });
        response.Results.Add(new Proto.ResolveResult { Identifier = "88.100.1/item-4", Status = new Proto.ItemStatus(), Record = ProtoMapper.ToProto(Record(4, values: 40)) });
        response.Results.Add(new Proto.ResolveResult { Identifier = "88.100.1/item-5", Status = new Proto.ItemStatus(), Record = Encoded(Record(5, values: 0)) });
        var expected = response.Clone();

        var written = Serialize(AnswerMarshallers.For(GeneratedBatch), response);

        Assert.Equal(expected, Proto.BatchResolveResponse.Parser.ParseFrom(written));
        Assert.Equal(expected.CalculateSize(), written.Length);
    }

    [Fact]
    public void ARecordAnsweredOnce_IsNotEncodedAhead_ItsSecondAnswerIs()
    {
        var record = Record(6);

        var first = RecordAnswers.Of(record);
        Assert.False(RecordAnswers.TryGetEncoding(first, out _));

        var second = RecordAnswers.Of(record);
        Assert.Same(first, second);
        Assert.True(RecordAnswers.TryGetEncoding(second, out var encoding));
        Assert.Equal(second.ToByteArray(), encoding);
    }

    [Fact]
    public void ARecordL1DoesNotHold_IsBuiltForEachAnswer_AndNeverRemembered()
    {
        var record = Record(7);

        var first = RecordAnswers.Of(record, heldByL1: false);
        var second = RecordAnswers.Of(record, heldByL1: false);

        Assert.NotSame(first, second);
        Assert.Equal(first, second);
        Assert.False(RecordAnswers.TryGet(record, out _));
        Assert.False(RecordAnswers.TryGetEncoding(second, out _));
    }

    [Fact]
    public void Batch_Empty_IsAnEmptyMessage()
    {
        var written = Serialize(AnswerMarshallers.For(GeneratedBatch), new Proto.BatchResolveResponse());

        Assert.Empty(written);
    }

    [Fact]
    public void OtherMessages_KeepTheGeneratedMarshaller()
    {
        var generated = Marshallers.Create<Proto.ServerInfo>(static (m, c) => { }, static c => new Proto.ServerInfo());

        Assert.Same(generated, AnswerMarshallers.For(generated));
    }

    // The answers' fields as the contract has them: a new field must be thought about here (it is written with the
    // rest of the answer, ahead of the record).
    [Fact]
    public void TheAnswerFields_AreTheOnesThisTestKnows() =>
        Assert.Equal(["identifier", "status", "record", "referral", "trace", "stale"], Proto.ResolveResult.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name));

    private static readonly Marshaller<Proto.ResolveResult> GeneratedResult = Marshallers.Create<Proto.ResolveResult>(static (m, c) => throw new InvalidOperationException("the generated marshaller was used"), static c => Proto.ResolveResult.Parser.ParseFrom(c.PayloadAsReadOnlySequence()));
    private static readonly Marshaller<Proto.BatchResolveResponse> GeneratedBatch = Marshallers.Create<Proto.BatchResolveResponse>(static (m, c) => throw new InvalidOperationException("the generated marshaller was used"), static c => Proto.BatchResolveResponse.Parser.ParseFrom(c.PayloadAsReadOnlySequence()));

    private static byte[] Serialize<T>(Marshaller<T> marshaller, T message)
    {
        var context = new CollectingContext();
        marshaller.ContextualSerializer(message, context);
        Assert.True(context.Completed, "the marshaller never completed its message");
        Assert.Equal(context.PayloadLength, context.Written.WrittenCount);
        return context.Written.WrittenSpan.ToArray();
    }

    // What grpc-dotnet hands a marshaller, collecting the bytes in spans of 16 (or what is asked for), as a pipe's
    // segments end: a record's bytes are then copied across many of them.
    private sealed class CollectingContext : SerializationContext, IBufferWriter<byte>
    {
        private const int SpanBytes = 16;

        public ArrayBufferWriter<byte> Written { get; } = new(16);

        public int PayloadLength { get; private set; } = -1;

        public bool Completed { get; private set; }

        public override void SetPayloadLength(int payloadLength) => PayloadLength = payloadLength;

        public override IBufferWriter<byte> GetBufferWriter() => this;

        public override void Complete() => Completed = true;

        public override void Complete(byte[] payload)
        {
            Written.Write(payload);
            Completed = true;
        }

        public void Advance(int count) => Written.Advance(count);

        public Memory<byte> GetMemory(int sizeHint = 0) => Written.GetMemory(Math.Max(sizeHint, SpanBytes))[..Math.Max(sizeHint, SpanBytes)];

        public Span<byte> GetSpan(int sizeHint = 0) => Written.GetSpan(Math.Max(sizeHint, SpanBytes))[..Math.Max(sizeHint, SpanBytes)];
    }

    // The answer message of a record answered before, as L1 hits are: with its encoding.
    private static Proto.Record Encoded(HandleRecord record)
    {
        _ = RecordAnswers.Of(record);
        var message = RecordAnswers.Of(record);
        Assert.True(RecordAnswers.TryGetEncoding(message, out _));
        return message;
    }

    private static HandleRecord Record(int i, int values = 3)
    {
        var identifier = string.Create(CultureInfo.InvariantCulture, $"88.100.1/item-{i}");
        var list = Enumerable.Range(1, values)
            .Select(v => new HandleValue(v, "URL", ValueData.FromText(new string('a', 200)), 86400, Now, ValuePermissions.Default, []))
            .ToList();
        return new HandleRecord(identifier, identifier, 1, list.AsReadOnly(), Now, Now, null);
    }
}
