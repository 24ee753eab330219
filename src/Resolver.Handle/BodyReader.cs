using System.Buffers.Binary;
using System.Text;

namespace Resolver.Handle;

/// <summary>
/// Reads the fields of a message body (RFC 3652 §2.1: big-endian integers; a UTF8-String or byte array is a 4-byte
/// length and the bytes). Every read is bounds-checked: a length that runs past the body is a protocol error, never an
/// allocation of what the length claims.
/// </summary>
internal ref struct BodyReader(ReadOnlySpan<byte> body)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlySpan<byte> _body = body;

    /// <summary>Bytes read so far.</summary>
    public int Position { get; private set; }

    /// <summary>Bytes left.</summary>
    public readonly int Remaining => _body.Length - Position;

    public byte ReadByte(string field)
    {
        Need(1, field);
        return _body[Position++];
    }

    public int ReadInt32(string field)
    {
        Need(4, field);
        var value = BinaryPrimitives.ReadInt32BigEndian(_body[Position..]);
        Position += 4;
        return value;
    }

    public ReadOnlySpan<byte> ReadFixed(int length, string field)
    {
        Need(length, field);
        var bytes = _body.Slice(Position, length);
        Position += length;
        return bytes;
    }

    /// <summary>A length-prefixed byte array of at most <paramref name="maxLength"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(string field, int maxLength = HandleProtocol.MaxMessageLength)
    {
        var length = ReadInt32(field);
        if (length < 0 || length > maxLength)
        {
            throw new HandleProtocolException($"{field}: length {length} is outside 0–{maxLength}");
        }

        return ReadFixed(length, field);
    }

    /// <summary>A length-prefixed UTF-8 string; bytes that are not UTF-8 are a protocol error naming the field.</summary>
    public string ReadString(string field, int maxLength = HandleProtocol.MaxMessageLength)
    {
        var bytes = ReadBytes(field, maxLength);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new HandleProtocolException($"{field} is not UTF-8");
        }
    }

    /// <summary>A count of items that follow, each at least <paramref name="minItemSize"/> bytes: a count the body cannot hold is refused before anything is allocated.</summary>
    public int ReadCount(string field, int minItemSize, int max)
    {
        var count = ReadInt32(field);
        if (count < 0 || count > max || (long)count * minItemSize > Remaining)
        {
            throw new HandleProtocolException($"{field}: {count} items do not fit the message (at most {max})");
        }

        return count;
    }

    private readonly void Need(int length, string field)
    {
        if (length > _body.Length - Position)
        {
            throw new HandleProtocolException($"the message ends inside {field}");
        }
    }
}
