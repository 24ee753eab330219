using System.Net;
using System.Net.Sockets;

namespace Resolver.Testing;

/// <summary>Asks the OS for a free loopback port (never a fixed one), and never hands out the same port twice in a run.</summary>
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
}
