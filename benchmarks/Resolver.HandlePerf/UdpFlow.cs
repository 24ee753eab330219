using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Resolver.Handle;

namespace Resolver.HandlePerf;

/// <summary>
/// A UDP socket connected to the server, non-blocking: one datagram per request, answers in one or more datagrams
/// (RFC 3652 §2.3: each behind a copy of the envelope with its sequence number), counted once every datagram of an
/// answer is in. A request whose answer does not come in time is lost (<see cref="Flow.Expire"/>).
/// </summary>
internal sealed class UdpFlow : Flow
{
    private readonly byte[] _send = new byte[HandleProtocol.MaxDatagramSize];
    private readonly byte[] _receive = new byte[64 * 1024];
    private readonly int[] _pieces; // datagrams still missing per slot; 0 until the first one arrives
    private readonly ulong[] _seen; // datagrams 0–63 received per slot, so a duplicate is not counted twice
    private readonly int[] _code;

    public UdpFlow(IPEndPoint server, EncodedRequests requests, int window, int seed)
        : base(new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp), requests, window, seed)
    {
        if (requests.MaxLength > HandleProtocol.MaxDatagramSize)
        {
            throw new ArgumentException($"a request is {requests.MaxLength} bytes, more than one datagram: use TCP", nameof(requests));
        }

        Socket.ReceiveBufferSize = 4 << 20;
        Socket.Connect(server);
        Socket.Blocking = false;
        _pieces = new int[window];
        _seen = new ulong[window];
        _code = new int[window];
    }

    public override void Fill(long now)
    {
        while (FreeSlots > 0)
        {
            var length = Next(now, _send, out var slot);
            Socket.Send(_send.AsSpan(0, length), SocketFlags.None, out var error);
            if (error != SocketError.Success)
            {
                Unsend(slot); // the socket's buffer is full (or the peer unreachable): try again on the next round
                return;
            }

            _pieces[slot] = 0;
            _seen[slot] = 0;
            _code[slot] = -1;
            Counts.Sent++;
        }
    }

    public override void Receive(long now)
    {
        while (true)
        {
            var length = Socket.Receive(_receive, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                return;
            }

            if (error != SocketError.Success || length < HandleProtocol.EnvelopeSize)
            {
                Counts.Stray++; // an ICMP error for an earlier datagram (nothing listens there), or a runt: nothing to count
                if (error != SocketError.Success)
                {
                    return;
                }

                continue;
            }

            var datagram = _receive.AsSpan(0, length);
            var slot = SlotOf(BinaryPrimitives.ReadInt32BigEndian(datagram[8..]));
            var sequence = BinaryPrimitives.ReadInt32BigEndian(datagram[12..]);
            var messageLength = BinaryPrimitives.ReadInt32BigEndian(datagram[16..]);
            if (slot < 0 || sequence < 0 || messageLength is < 0 or > HandleProtocol.MaxMessageLength)
            {
                Counts.Stray++; // a late answer to a request given up on, or not an answer
                continue;
            }

            if (sequence < 64)
            {
                var bit = 1UL << sequence;
                if ((_seen[slot] & bit) != 0)
                {
                    continue;
                }

                _seen[slot] |= bit;
            }

            if (sequence == 0 && length >= HandleProtocol.EnvelopeSize + 8)
            {
                _code[slot] = BinaryPrimitives.ReadInt32BigEndian(datagram[(HandleProtocol.EnvelopeSize + 4)..]); // the header's response code
            }

            if (_pieces[slot] == 0)
            {
                _pieces[slot] = Datagrams.Count(messageLength);
            }

            if (--_pieces[slot] == 0)
            {
                Answered(slot, _code[slot], now);
            }
        }
    }
}
