using System.Buffers.Binary;

namespace Resolver.Handle;

/// <summary>
/// The 20-byte envelope before every message and every UDP datagram (RFC 3652 §2.2.1), big-endian. CNRI's Handle.Net
/// (protocol 2.x) carries the version the sender suggests for the answer in the third and fourth bytes: the low two bits
/// of the flag byte hold its major version, the fourth byte its minor version; 0 means "the same as this message's".
/// </summary>
/// <param name="MajorVersion">The protocol version the message is written in.</param>
/// <param name="MinorVersion">The minor part of that version.</param>
/// <param name="Flags">CP, EC, TC.</param>
/// <param name="SuggestedMajorVersion">The highest version the sender speaks, which the answer should use when the receiver speaks it too.</param>
/// <param name="SuggestedMinorVersion">The minor part of that version.</param>
/// <param name="SessionId">The session, 0 outside one; echoed in the answer.</param>
/// <param name="RequestId">Pairs a response with its request; echoed in the answer.</param>
/// <param name="SequenceNumber">For a message split into UDP datagrams, the datagram's number from 0; else 0.</param>
/// <param name="MessageLength">Bytes of the whole message after the envelope (header, body, credential).</param>
public readonly record struct MessageEnvelope(
    byte MajorVersion, byte MinorVersion, EnvelopeFlags Flags, byte SuggestedMajorVersion, byte SuggestedMinorVersion,
    int SessionId, int RequestId, int SequenceNumber, int MessageLength)
{
    /// <summary>Reads an envelope from the first 20 bytes of <paramref name="bytes"/>.</summary>
    /// <exception cref="HandleProtocolException">Fewer than 20 bytes, or a message length outside 0–256 KiB.</exception>
    public static MessageEnvelope Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HandleProtocol.EnvelopeSize)
        {
            throw new HandleProtocolException($"a message envelope is {HandleProtocol.EnvelopeSize} bytes; got {bytes.Length}");
        }

        var suggestedMajor = (byte)(bytes[2] & 0x03);
        var envelope = new MessageEnvelope(
            bytes[0], bytes[1], (EnvelopeFlags)(bytes[2] & 0xE0),
            suggestedMajor == 0 ? bytes[0] : suggestedMajor, suggestedMajor == 0 ? bytes[1] : bytes[3],
            BinaryPrimitives.ReadInt32BigEndian(bytes[4..]), BinaryPrimitives.ReadInt32BigEndian(bytes[8..]),
            BinaryPrimitives.ReadInt32BigEndian(bytes[12..]), BinaryPrimitives.ReadInt32BigEndian(bytes[16..]));
        if (envelope.MessageLength is < 0 or > HandleProtocol.MaxMessageLength)
        {
            throw new HandleProtocolException($"message length {envelope.MessageLength} is outside 0–{HandleProtocol.MaxMessageLength} bytes");
        }

        return envelope;
    }

    /// <summary>Writes the envelope into the first 20 bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        destination[0] = MajorVersion;
        destination[1] = MinorVersion;
        destination[2] = (byte)((byte)Flags | (SuggestedMajorVersion & 0x03));
        destination[3] = SuggestedMinorVersion;
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], SessionId);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], RequestId);
        BinaryPrimitives.WriteInt32BigEndian(destination[12..], SequenceNumber);
        BinaryPrimitives.WriteInt32BigEndian(destination[16..], MessageLength);
    }

    /// <summary>True when the message is written in protocol <paramref name="major"/>.<paramref name="minor"/> or later.</summary>
    public bool IsAtLeast(int major, int minor) => MajorVersion > major || (MajorVersion == major && MinorVersion >= minor);
}
