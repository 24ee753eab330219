namespace Resolver.Handle;

/// <summary>
/// A message over UDP (RFC 3652 §2.3): one datagram of at most 512 bytes when it fits, otherwise pieces of 492 bytes,
/// each behind a copy of the envelope with its sequence number and the whole message's length, as CNRI's server sends
/// them and its client reassembles them (by sequence number × 492). The pieces carry TC (truncated), as the RFC says.
/// </summary>
public static class Datagrams
{
    /// <summary>How many datagrams a message of <paramref name="messageLength"/> bytes (after the envelope) takes.</summary>
    public static int Count(int messageLength) => Math.Max(1, (messageLength + HandleProtocol.DatagramPayloadSize - 1) / HandleProtocol.DatagramPayloadSize);

    /// <summary>Bytes sent on the wire for a message of <paramref name="messageLength"/> bytes: the message plus one envelope per datagram.</summary>
    public static int WireBytes(int messageLength) => messageLength + (Count(messageLength) * HandleProtocol.EnvelopeSize);

    /// <summary>
    /// Writes datagram <paramref name="sequence"/> of <paramref name="message"/> (a whole message, envelope first, as
    /// <see cref="ResponseWriter"/> leaves it) into <paramref name="destination"/> (at least 512 bytes); returns its length.
    /// </summary>
    public static int Write(ReadOnlySpan<byte> message, int sequence, Span<byte> destination)
    {
        var envelope = MessageEnvelope.Read(message);
        var body = message[HandleProtocol.EnvelopeSize..];
        var count = Count(body.Length);
        var start = sequence * HandleProtocol.DatagramPayloadSize;
        var piece = body.Slice(start, Math.Min(HandleProtocol.DatagramPayloadSize, body.Length - start));
        (count == 1 ? envelope : envelope with { Flags = envelope.Flags | EnvelopeFlags.Truncated, SequenceNumber = sequence })
            .Write(destination);
        piece.CopyTo(destination[HandleProtocol.EnvelopeSize..]);
        return HandleProtocol.EnvelopeSize + piece.Length;
    }
}

/// <summary>
/// Gathers the datagrams of one message, in any order, duplicates ignored (the client side of <see cref="Datagrams"/>;
/// the server side too, for requests that do not fit one datagram).
/// </summary>
public sealed class DatagramAssembly
{
    private readonly byte[] _message;
    private readonly bool[] _received;
    private int _missing;

    /// <summary>An assembly for the message the first datagram to arrive belongs to.</summary>
    /// <exception cref="HandleProtocolException">The envelope's message length is out of bounds.</exception>
    public DatagramAssembly(MessageEnvelope first)
    {
        Envelope = first;
        _message = new byte[first.MessageLength];
        _received = new bool[Datagrams.Count(first.MessageLength)];
        _missing = _received.Length;
    }

    /// <summary>The envelope of the message.</summary>
    public MessageEnvelope Envelope { get; }

    /// <summary>The message after its envelope, once every datagram is in.</summary>
    public ReadOnlyMemory<byte> Message => _message;

    /// <summary>Adds one datagram; true once the message is whole.</summary>
    /// <exception cref="HandleProtocolException">The datagram does not belong (another length, a sequence number past the end, a piece of the wrong size).</exception>
    public bool Add(MessageEnvelope envelope, ReadOnlySpan<byte> payload)
    {
        if (envelope.MessageLength != _message.Length || envelope.SequenceNumber < 0 || envelope.SequenceNumber >= _received.Length)
        {
            throw new HandleProtocolException($"datagram {envelope.SequenceNumber} does not belong to a message of {_message.Length} bytes");
        }

        var start = envelope.SequenceNumber * HandleProtocol.DatagramPayloadSize;
        var expected = Math.Min(HandleProtocol.DatagramPayloadSize, _message.Length - start);
        if (payload.Length != expected)
        {
            throw new HandleProtocolException($"datagram {envelope.SequenceNumber} carries {payload.Length} bytes; {expected} expected");
        }

        if (!_received[envelope.SequenceNumber])
        {
            _received[envelope.SequenceNumber] = true;
            payload.CopyTo(_message.AsSpan(start));
            _missing--;
        }

        return _missing == 0;
    }
}
