using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using Resolver.Protocol.V1;

namespace Resolver.Server.Api;

/// <summary>
/// Response marshallers for resolution answers (<see cref="ResolveResult"/>, <see cref="BatchResolveResponse"/>) that copy
/// each record's encoding, made once per record by <see cref="RecordAnswers"/>, into the answer instead of encoding the
/// record message again: C# protobuf sizes a nested message anew at every level it writes, so a batch of 100 encoded the
/// generated way sizes each value four times over. The bytes are those the generated marshaller writes, but for one
/// difference the protobuf encoding allows ("Field order": parsers accept fields in any order): an item's record comes
/// after its other fields. A record message without an encoding (none of <see cref="RecordAnswers"/>') is encoded as usual.
/// </summary>
/// <remarks>
/// An answer is briefly written without its record and then with it again, so an answer given to these marshallers must
/// be its call's own (every <see cref="ResolveResult"/> the service builds is; the records under them are shared and never
/// modified).
/// </remarks>
internal static class AnswerMarshallers
{
    private static readonly uint ResultTag = WireFormat.MakeTag(BatchResolveResponse.ResultsFieldNumber, WireFormat.WireType.LengthDelimited);
    private static readonly uint RecordTag = WireFormat.MakeTag(ResolveResult.RecordFieldNumber, WireFormat.WireType.LengthDelimited);

    /// <summary>The marshaller of one answer (Resolve, ResolveStream).</summary>
    public static readonly Marshaller<ResolveResult> Result = Marshallers.Create(WriteResult, static context => ResolveResult.Parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    /// <summary>The marshaller of a batch answer (BatchResolve).</summary>
    public static readonly Marshaller<BatchResolveResponse> Batch = Marshallers.Create(WriteBatch, static context => BatchResolveResponse.Parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    /// <summary>This class's marshaller for the answer types, <paramref name="generated"/> for any other.</summary>
    public static Marshaller<T> For<T>(Marshaller<T> generated) => generated switch
    {
        Marshaller<ResolveResult> => (Marshaller<T>)(object)Result,
        Marshaller<BatchResolveResponse> => (Marshaller<T>)(object)Batch,
        _ => generated,
    };

    /// <summary>The encoded size of <paramref name="result"/>, in bytes, counting a kept record encoding by its length.</summary>
    public static int SizeOf(ResolveResult result) => SizeOf(result, out _);

    private static void WriteResult(ResolveResult result, SerializationContext context)
    {
        var size = SizeOf(result, out var encoding);
        context.SetPayloadLength(size);
        Write(result, encoding, context.GetBufferWriter());
        context.Complete();
    }

    private static void WriteBatch(BatchResolveResponse response, SerializationContext context)
    {
        var results = response.Results;
        var items = ArrayPool<(int Size, byte[]? Encoding)>.Shared.Rent(results.Count);
        try
        {
            var total = 0;
            for (var i = 0; i < results.Count; i++)
            {
                var size = SizeOf(results[i], out var encoding);
                items[i] = (size, encoding);
                total += CodedOutputStream.ComputeRawVarint32Size(ResultTag) + CodedOutputStream.ComputeLengthSize(size) + size;
            }

            context.SetPayloadLength(total);
            var writer = context.GetBufferWriter();
            for (var i = 0; i < results.Count; i++)
            {
                WriteHeader(writer, ResultTag, items[i].Size);
                Write(results[i], items[i].Encoding, writer);
            }

            context.Complete();
        }
        finally
        {
            ArrayPool<(int, byte[]?)>.Shared.Return(items, clearArray: true);
        }
    }

    // The encoded size of result; its record's encoding, when it has one to copy.
    private static int SizeOf(ResolveResult result, out byte[]? encoding)
    {
        if (result.Record is not { } record || !RecordAnswers.TryGetEncoding(record, out var bytes))
        {
            encoding = null;
            return result.CalculateSize();
        }

        result.Record = null;
        var rest = result.CalculateSize(); // cannot throw: it only adds up the remaining fields
        result.Record = record;
        encoding = bytes;
        return rest + CodedOutputStream.ComputeRawVarint32Size(RecordTag) + CodedOutputStream.ComputeLengthSize(bytes.Length) + bytes.Length;
    }

    private static void Write(ResolveResult result, byte[]? encoding, IBufferWriter<byte> writer)
    {
        if (encoding is null)
        {
            result.WriteTo(writer);
            return;
        }

        var record = result.Record;
        result.Record = null;
        try
        {
            result.WriteTo(writer);
        }
        finally
        {
            result.Record = record;
        }

        WriteHeader(writer, RecordTag, encoding.Length);
        writer.Write(encoding);
    }

    // A length-delimited field's tag and length (varints, at most five bytes each).
    private static void WriteHeader(IBufferWriter<byte> writer, uint tag, int length)
    {
        var span = writer.GetSpan(10);
        var written = WriteVarint(span, tag);
        written += WriteVarint(span[written..], (uint)length);
        writer.Advance(written);
    }

    private static int WriteVarint(Span<byte> span, uint value)
    {
        var i = 0;
        for (; value >= 0x80; value >>= 7)
        {
            span[i++] = (byte)(value | 0x80);
        }

        span[i++] = (byte)value;
        return i;
    }
}
