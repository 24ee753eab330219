using System.Text;

namespace Resolver.Core.Records;

/// <summary>
/// Upper bounds on how many bytes a value and a record take in an answer, so that no record can grow past what a
/// client honouring the advertised message limit can read (SPEC §8). Generous per-field allowances cover protobuf's
/// tags, lengths, times and permissions.
/// </summary>
public static class RecordSize
{
    private const int PerValue = 64;
    private const int PerReference = 16;
    private const int PerRecord = 64;

    /// <summary>A value's payload as the limits count it: its data and its references (identifier bytes and index).</summary>
    public static long OfPayload(ValueData data, IReadOnlyList<ValueReference>? references)
    {
        long size = data.ByteCount;
        foreach (var reference in references ?? [])
        {
            size += PerReference + Encoding.UTF8.GetByteCount(reference.Identifier);
        }

        return size;
    }

    /// <summary>At least as many bytes as the record with <paramref name="values"/> takes in an answer.</summary>
    public static long UpperBound(string identifier, IReadOnlyList<HandleValue> values)
    {
        long size = PerRecord + Encoding.UTF8.GetByteCount(identifier);
        foreach (var value in values)
        {
            size += PerValue + Encoding.UTF8.GetByteCount(value.Type) + OfPayload(value.Data, value.References);
        }

        return size;
    }
}
