namespace Resolver.Handle;

/// <summary>
/// One message as received: its envelope, its header, and the header and body bytes (which the request digest is taken
/// over, RFC 3652 §2.2.2.3 RD). The credential section after the body is not read: resolution needs none, and a
/// signed request is answered as an anonymous one.
/// </summary>
/// <param name="Envelope">The envelope it came in (for UDP, the first datagram's).</param>
/// <param name="Header">Its header.</param>
/// <param name="HeaderAndBody">The header and body bytes, as sent.</param>
public sealed record HandleMessage(MessageEnvelope Envelope, MessageHeader Header, ReadOnlyMemory<byte> HeaderAndBody)
{
    /// <summary>The body.</summary>
    public ReadOnlyMemory<byte> Body => HeaderAndBody[HandleProtocol.HeaderSize..];

    /// <summary>Reads a message: <paramref name="message"/> is what follows the envelope, <see cref="MessageEnvelope.MessageLength"/> bytes.</summary>
    /// <exception cref="HandleProtocolException">The header is cut short or the body runs past the message.</exception>
    public static HandleMessage Read(MessageEnvelope envelope, ReadOnlyMemory<byte> message)
    {
        if (envelope.Flags.HasFlag(EnvelopeFlags.Encrypted) || envelope.Flags.HasFlag(EnvelopeFlags.Compressed))
        {
            throw new HandleProtocolException("encrypted and compressed messages (sessions) are not served: send the message in clear");
        }

        var header = MessageHeader.Read(message.Span);
        if (header.BodyLength > message.Length - HandleProtocol.HeaderSize)
        {
            throw new HandleProtocolException($"the body length {header.BodyLength} runs past the message of {message.Length} bytes");
        }

        return new HandleMessage(envelope, header, message[..(HandleProtocol.HeaderSize + header.BodyLength)]);
    }
}
