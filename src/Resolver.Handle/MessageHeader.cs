using System.Buffers.Binary;

namespace Resolver.Handle;

/// <summary>The 24-byte message header (RFC 3652 §2.2.2), big-endian.</summary>
/// <param name="OpCode">The operation (<see cref="Handle.OpCode"/>).</param>
/// <param name="ResponseCode">0 for a request; the outcome for a response (<see cref="Handle.ResponseCode"/>).</param>
/// <param name="Flags">The options (<see cref="OpFlags"/>).</param>
/// <param name="SiteInfoSerial">The serial number of the site information the sender used; -1 when none.</param>
/// <param name="RecursionCount">How many servers the request has passed.</param>
/// <param name="Expiration">When the message stops being valid, in seconds since the Unix epoch.</param>
/// <param name="BodyLength">Bytes of the body that follows the header.</param>
public readonly record struct MessageHeader(int OpCode, int ResponseCode, OpFlags Flags, short SiteInfoSerial, byte RecursionCount, int Expiration, int BodyLength)
{
    /// <summary>Reads a header from the first 24 bytes of <paramref name="bytes"/>.</summary>
    /// <exception cref="HandleProtocolException">Fewer than 24 bytes, or a negative body length.</exception>
    public static MessageHeader Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HandleProtocol.HeaderSize)
        {
            throw new HandleProtocolException($"a message header is {HandleProtocol.HeaderSize} bytes; the message has {bytes.Length}");
        }

        var header = new MessageHeader(
            BinaryPrimitives.ReadInt32BigEndian(bytes), BinaryPrimitives.ReadInt32BigEndian(bytes[4..]),
            (OpFlags)BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]), BinaryPrimitives.ReadInt16BigEndian(bytes[12..]),
            bytes[14], BinaryPrimitives.ReadInt32BigEndian(bytes[16..]), BinaryPrimitives.ReadInt32BigEndian(bytes[20..]));
        if (header.BodyLength < 0)
        {
            throw new HandleProtocolException($"body length {header.BodyLength} is negative");
        }

        return header;
    }

    /// <summary>Writes the header into the first 24 bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, OpCode);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], ResponseCode);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)Flags);
        BinaryPrimitives.WriteInt16BigEndian(destination[12..], SiteInfoSerial);
        destination[14] = RecursionCount;
        destination[15] = 0; // reserved
        BinaryPrimitives.WriteInt32BigEndian(destination[16..], Expiration);
        BinaryPrimitives.WriteInt32BigEndian(destination[20..], BodyLength);
    }
}
