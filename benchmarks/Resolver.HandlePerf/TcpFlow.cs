using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Resolver.Handle;

namespace Resolver.HandlePerf;

/// <summary>
/// A persistent TCP connection, non-blocking, its window of requests pipelined on it (RFC 3652 §2.2.1: answers in any
/// order, matched by request id). The requests that fill the window go out in one write; the answers that arrived are
/// read in one read and split by their envelopes' lengths. With a connection per request (CNRI's Handle.Net server
/// answers one request per connection and closes it), the window is one request and each answer is followed by a new
/// connection, as CNRI's own client does.
/// </summary>
internal sealed class TcpFlow : Flow
{
    private readonly IPEndPoint _server;
    private readonly bool _perRequest;
    private bool _used; // a request went out on this connection (connection per request: the next needs another)
    private readonly byte[] _receive = new byte[HandleProtocol.EnvelopeSize + HandleProtocol.MaxMessageLength + (256 * 1024)];
    private byte[] _send;
    private int _sendStart;
    private int _sendEnd;
    private int _receiveStart;
    private int _receiveEnd;

    public TcpFlow(IPEndPoint server, EncodedRequests requests, int window, int seed, bool perRequest)
        : base(Connect(server), requests, perRequest ? 1 : window, seed)
    {
        _server = server;
        _perRequest = perRequest;
        _send = new byte[window * requests.MaxLength];
    }

    public override void Fill(long now)
    {
        if (Closed)
        {
            return;
        }

        if (_perRequest && FreeSlots > 0 && _used)
        {
            // The last answer came and the server closed its end: a new connection for the next request. On loopback the
            // handshake completes within connect(), so the thread does not wait on it.
            Socket.Dispose();
            _receiveStart = _receiveEnd = _sendStart = _sendEnd = 0;
            try
            {
                Socket = Connect(_server);
                _used = false;
            }
            catch (SocketException)
            {
                Counts.Stray++; // refused (the server's backlog is full): try again on the next round
                Socket = new Socket(_server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                return;
            }
        }

        while (FreeSlots > 0)
        {
            if (_send.Length - _sendEnd < MaxRequestLength)
            {
                Compact(ref _send, ref _sendStart, ref _sendEnd, MaxRequestLength);
            }

            _sendEnd += Next(now, _send.AsSpan(_sendEnd), out _);
            Counts.Sent++;
            _used = true;
        }

        if (_sendEnd > _sendStart)
        {
            var sent = Socket.Send(_send.AsSpan(_sendStart, _sendEnd - _sendStart), SocketFlags.None, out var error);
            if (error is not (SocketError.Success or SocketError.WouldBlock))
            {
                Close();
                return;
            }

            _sendStart += sent;
            if (_sendStart == _sendEnd)
            {
                _sendStart = _sendEnd = 0;
            }
        }
    }

    /// <summary>True while requests wait to be written (the socket's buffer was full): the thread must not sleep long.</summary>
    public bool Pending => _sendEnd > _sendStart;

    public override void Receive(long now)
    {
        if (Closed)
        {
            return;
        }

        var read = Socket.Receive(_receive.AsSpan(_receiveEnd), SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock)
        {
            return;
        }

        if (error != SocketError.Success || read == 0)
        {
            if (_perRequest && Outstanding == 0)
            {
                return; // the server closed the connection after its answer, as it does: the next request opens another
            }

            Close(); // the server closed the connection (or it failed) with requests unanswered
            return;
        }

        _receiveEnd += read;
        while (_receiveEnd - _receiveStart >= HandleProtocol.EnvelopeSize)
        {
            var message = _receive.AsSpan(_receiveStart, _receiveEnd - _receiveStart);
            var length = BinaryPrimitives.ReadInt32BigEndian(message[16..]);
            if (length is < 0 or > HandleProtocol.MaxMessageLength)
            {
                Close(); // out of step: nothing after this can be read
                return;
            }

            if (message.Length < HandleProtocol.EnvelopeSize + length)
            {
                break;
            }

            var slot = SlotOf(BinaryPrimitives.ReadInt32BigEndian(message[8..]));
            if (slot < 0)
            {
                Counts.Stray++;
            }
            else
            {
                Answered(slot, length >= 8 ? BinaryPrimitives.ReadInt32BigEndian(message[(HandleProtocol.EnvelopeSize + 4)..]) : -1, now);
            }

            _receiveStart += HandleProtocol.EnvelopeSize + length;
        }

        if (_receiveStart == _receiveEnd)
        {
            _receiveStart = _receiveEnd = 0;
        }
        else if (_receive.Length - _receiveEnd < HandleProtocol.EnvelopeSize + HandleProtocol.MaxMessageLength)
        {
            var buffer = _receive;
            Compact(ref buffer, ref _receiveStart, ref _receiveEnd, 0);
        }
    }

    private static Socket Connect(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(server);
            socket.Blocking = false;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // Requests in flight are lost; a persistent connection is over, a connection per request is replaced by the next Fill.
    private void Close()
    {
        Closed = !_perRequest;
        LoseAll();
    }

    // Moves the unconsumed bytes to the front; grows the buffer if that does not leave `room` bytes.
    private static void Compact(ref byte[] buffer, ref int start, ref int end, int room)
    {
        var length = end - start;
        if (buffer.Length - length < room)
        {
            var larger = new byte[Math.Max(buffer.Length * 2, length + room)];
            buffer.AsSpan(start, length).CopyTo(larger);
            buffer = larger;
        }
        else
        {
            buffer.AsSpan(start, length).CopyTo(buffer);
        }

        start = 0;
        end = length;
    }
}
