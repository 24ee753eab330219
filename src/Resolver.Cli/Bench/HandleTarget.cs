using System.Net;
using System.Net.Sockets;
using Resolver.Handle;

namespace Resolver.Cli.Bench;

/// <summary>
/// Where <c>resolver bench</c> sends Handle requests: <c>--server hdl://HOST:PORT</c>, or a gRPC address whose host is
/// taken with the Handle protocol's default port (2641), which <see cref="Derived"/> says so that an error can name both.
/// </summary>
/// <param name="Host">The host name or address, without brackets.</param>
/// <param name="Port">The port, TCP and UDP.</param>
/// <param name="Udp">True for UDP, false for TCP.</param>
/// <param name="Derived">True when the address was made from a gRPC <c>--server</c>.</param>
internal sealed record HandleTarget(string Host, int Port, bool Udp, bool Derived)
{
    /// <summary>The Handle protocol's port when an address names none (RFC 3652 §2.1, CNRI's default).</summary>
    public const int DefaultPort = 2641;

    /// <summary>The target as <c>hdl://host:port</c>.</summary>
    public string Address => $"hdl://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";

    /// <summary>The target of <paramref name="server"/> (hdl://, or http(s):// with the default port); null when it is neither.</summary>
    public static HandleTarget? Of(string server, bool udp)
    {
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme is not ("hdl" or "http" or "https"))
        {
            return null;
        }

        var host = uri.Host.Trim('[', ']');
        return uri.Scheme == "hdl"
            ? new HandleTarget(host, uri.Port > 0 ? uri.Port : DefaultPort, udp, Derived: false)
            : new HandleTarget(host, DefaultPort, udp, Derived: true);
    }

    /// <summary>The first address of the host.</summary>
    /// <exception cref="SocketException">The host name does not resolve.</exception>
    public async Task<IPEndPoint> EndpointAsync(CancellationToken cancellationToken) =>
        new(IPAddress.TryParse(Host, out var literal) ? literal : (await Dns.GetHostAddressesAsync(Host, cancellationToken).ConfigureAwait(false))[0], Port);

    /// <summary>
    /// Asks the server for its site information once, over this transport, so that a wrong address fails before the
    /// run with one line rather than as a run of refusals; null when it answered, else why not.
    /// </summary>
    public async Task<string?> ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var client = new HandleClient(Host, Port, TimeProvider.System, timeout);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await client.GetSiteInfoAsync(Udp ? HandleTransport.Udp : HandleTransport.Tcp, deadline.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception exception) when (exception is IOException or SocketException or TimeoutException or HandleProtocolException
                                           or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var why = exception switch
            {
                TimeoutException or OperationCanceledException => $"no answer within {timeout.TotalMilliseconds:0} ms",
                SocketException socket => socket.SocketErrorCode.ToString(),
                _ => exception.Message,
            };
            return $"no Handle server answered at {Address} over {(Udp ? "UDP" : "TCP")} ({why})";
        }
    }
}
