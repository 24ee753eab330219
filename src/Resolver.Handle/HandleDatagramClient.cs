using System.Net;
using System.Net.Sockets;

namespace Resolver.Handle;

/// <summary>
/// One request over UDP (RFC 3652 §2.3): the request in one datagram, the answer in one or more, reassembled. Each
/// request has its own socket, so answers to other requests never mix in. An answer with TC set that is whole (a
/// server that says "too large for UDP") is returned with <see cref="HandleResponse.Envelope"/> carrying TC, for the
/// caller to ask again over TCP.
/// </summary>
public static class HandleDatagramClient
{
    /// <summary>Sends a request written by <paramref name="write"/> to <paramref name="server"/> from a socket of its own and waits for its answer.</summary>
    /// <exception cref="TimeoutException">No whole answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="SocketException">The datagram could not be sent (e.g. ICMP port unreachable on a later receive).</exception>
    /// <exception cref="HandleProtocolException">The answer cannot be read.</exception>
    public static async Task<HandleResponse> SendAsync(IPEndPoint server, Action<MessageBuffer, int> write, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        return await SendAsync(socket, Random.Shared.Next(1, int.MaxValue), write, timeout, time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a request with id <paramref name="requestId"/> on <paramref name="socket"/>, a UDP socket connected to the
    /// server that the caller keeps for request after request (one at a time: a load generator's caller), and waits for
    /// its answer. Datagrams of other request ids (a late answer to a request given up on) are skipped.
    /// </summary>
    /// <exception cref="TimeoutException">No whole answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="SocketException">The datagram could not be sent (e.g. ICMP port unreachable on a later receive).</exception>
    /// <exception cref="HandleProtocolException">The answer cannot be read.</exception>
    public static async Task<HandleResponse> SendAsync(Socket socket, int requestId, Action<MessageBuffer, int> write, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using (var request = new MessageBuffer(512))
        {
            write(request, requestId);
            if (request.Length > HandleProtocol.MaxDatagramSize)
            {
                throw new HandleProtocolException($"the request is {request.Length} bytes, more than one datagram: send it over TCP");
            }

            await socket.SendAsync(request.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var datagram = new byte[HandleProtocol.MaxDatagramSize];
        DatagramAssembly? assembly = null;
        try
        {
            while (true)
            {
                var length = await socket.ReceiveAsync(datagram, deadline.Token).ConfigureAwait(false);
                if (length < HandleProtocol.EnvelopeSize)
                {
                    continue;
                }

                var envelope = MessageEnvelope.Read(datagram);
                if (envelope.RequestId != requestId)
                {
                    continue; // a late answer to something else
                }

                var payload = datagram.AsSpan(HandleProtocol.EnvelopeSize, length - HandleProtocol.EnvelopeSize);
                if (assembly is null && payload.Length == envelope.MessageLength)
                {
                    return HandleResponse.Read(HandleMessage.Read(envelope, payload.ToArray()), time.GetUtcNow());
                }

                assembly ??= new DatagramAssembly(envelope);
                if (assembly.Add(envelope, payload))
                {
                    return HandleResponse.Read(HandleMessage.Read(assembly.Envelope with { Flags = envelope.Flags & ~EnvelopeFlags.Truncated }, assembly.Message), time.GetUtcNow());
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no whole answer over UDP within {timeout.TotalMilliseconds:0} ms");
        }
    }
}
