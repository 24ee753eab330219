using System.Net;
using Resolver.Handle;

namespace Resolver.Server.HandleWire;

/// <summary>
/// One request datagram to one answer (RFC 3652 §2.3), with the rules UDP needs beyond TCP's: a datagram that cannot be
/// read as one whole request (a response, a stray, a request in several datagrams) is never answered, so two servers
/// cannot bounce answers at each other and nothing is sent before the rate limiter has counted the sender; an answer
/// larger than <c>--handle-udp-answer-bytes</c> is replaced by an error (code 2, TC set) telling the client to ask over
/// TCP, so a spoofed request cannot make the node send more than the bound to a third party (docs/handle-protocol.md,
/// "Amplification").
/// </summary>
internal sealed class HandleDatagrams(HandleService service, TimeProvider time)
{
    /// <summary>Answers <paramref name="datagram"/> into <paramref name="output"/>; false when it gets no answer.</summary>
    public async ValueTask<bool> AnswerAsync(byte[] datagram, IPAddress peer, MessageBuffer output, int maxAnswerBytes, CancellationToken cancellationToken)
    {
        if (datagram.Length < HandleProtocol.EnvelopeSize + HandleProtocol.HeaderSize)
        {
            return false; // too short to be a request: silence, as for any stray packet
        }

        MessageEnvelope envelope;
        try
        {
            envelope = MessageEnvelope.Read(datagram);
        }
        catch (HandleProtocolException)
        {
            return false;
        }

        HandleMessage request;
        try
        {
            if (MessageHeader.Read(datagram.AsSpan(HandleProtocol.EnvelopeSize)).ResponseCode != ResponseCode.Request
                || envelope.Flags.HasFlag(EnvelopeFlags.Truncated) || envelope.MessageLength != datagram.Length - HandleProtocol.EnvelopeSize)
            {
                return false; // CNRI's client, getting no answer, asks over TCP
            }

            request = HandleMessage.Read(envelope, datagram.AsMemory(HandleProtocol.EnvelopeSize));
        }
        catch (HandleProtocolException)
        {
            return false;
        }

        await service.AnswerAsync(request, HandleListener.UdpWire, peer, output, maxAnswerBytes, cancellationToken).ConfigureAwait(false);
        var wireBytes = Datagrams.WireBytes(output.Length - HandleProtocol.EnvelopeSize);
        if (wireBytes > maxAnswerBytes)
        {
            ResponseWriter.Error(output, Answering.Message(request), time.GetUtcNow(), ResponseCode.Error,
                $"the answer is {wireBytes} bytes, more than this node sends over UDP ({maxAnswerBytes}): ask over TCP", EnvelopeFlags.Truncated);
        }

        return true;
    }
}
