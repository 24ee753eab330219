using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Resolver.Handle;

/// <summary>Writes the fields of a message body (RFC 3652 §2.1) into a buffer writer, big-endian, strings as 4-byte length + UTF-8.</summary>
internal readonly struct BodyWriter(IBufferWriter<byte> output)
{
    public void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteInt32(bytes.Length);
        WriteRaw(bytes);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    public void WriteString(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        WriteInt32(length);
        Encoding.UTF8.GetBytes(text, output.GetSpan(length));
        output.Advance(length);
    }
}
