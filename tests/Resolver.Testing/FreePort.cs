using System.Net;
using System.Net.Sockets;

namespace Resolver.Testing;

/// <summary>
/// Asks the OS for a free loopback port (never a fixed one), free for TCP and UDP alike (a Handle listener takes both),
/// and never hands out the same port twice in a run. Every server a test starts takes its ports from here: a server
/// binding port 0 instead could be given a port handed out here and not bound yet.
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (!FreeForUdp(port))
            {
                continue;
            }

            // The OS may offer a just-released port again before the test that got it has bound it.
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }

    private static bool FreeForUdp(int port)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
