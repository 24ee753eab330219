using System.Net;

namespace Resolver.Server.HandleWire;

/// <summary>An <c>hdl://HOST:PORT</c> address (SPEC §4, §5a): where a Handle server listens on TCP and UDP.</summary>
internal static class HandleEndpoint
{
    /// <summary>The default port of Handle servers (RFC 3652 §2.1).</summary>
    public const int DefaultPort = 2641;

    /// <summary>Reads <paramref name="url"/> as <c>hdl://HOST[:PORT]</c>; false, with the reason, when it is not one.</summary>
    public static bool TryParse(string url, out string host, out int port, out string? error)
    {
        host = "";
        port = DefaultPort;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !string.Equals(uri.Scheme, "hdl", StringComparison.OrdinalIgnoreCase) || uri.Host.Length == 0)
        {
            error = $"'{url}' is not an hdl://HOST:PORT address, e.g. hdl://127.0.0.1:2641";
            return false;
        }

        if (uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            error = $"'{url}' has more than hdl://HOST:PORT";
            return false;
        }

        host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        error = null;
        return true;
    }

    /// <summary>The address to listen on for <paramref name="host"/>: an IP literal, or loopback for <c>localhost</c>.</summary>
    public static IPAddress? ListenAddress(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.TryParse(host, out var address) ? address : null;
}
