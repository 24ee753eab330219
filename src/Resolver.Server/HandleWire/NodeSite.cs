using System.Net;
using System.Reflection;
using Microsoft.Extensions.Options;
using Resolver.Core.Records;
using Resolver.Handle;
using Resolver.Server.Configuration;

namespace Resolver.Server.HandleWire;

/// <summary>
/// This node as a Handle site (RFC 3651 §3.2.2): one server at <c>--handle-site-address</c> whose interfaces are, in
/// this order, the Handle protocol over TCP (first, since CAICT's SDK uses whatever is listed first), over UDP, then the
/// HTTP and HTTPS ports (Handle.Net's REST API). The answer to a get-site-info request and the HS_SITE value of every
/// prefix this node serves. Delegations to <c>hdl://</c> sites are described the same way from their endpoints.
/// </summary>
internal sealed class NodeSite
{
    /// <summary>The index of the HS_SITE value in a prefix handle (<c>0.NA/PREFIX</c>), as CNRI's tools create it.</summary>
    public const int SiteValueIndex = 1;

    /// <summary>The TTL of the HS_SITE value of this node: an hour, as delegations' referrals.</summary>
    public const int SiteTtl = 3600;

    private readonly IOptions<HandleOptions> _handle;
    private readonly IOptions<EndpointOptions> _endpoints;
    private readonly TimeProvider _time;

    public NodeSite(IOptions<HandleOptions> handle, IOptions<EndpointOptions> endpoints, TimeProvider time)
    {
        (_handle, _endpoints, _time) = (handle, endpoints, time);
        _described = Describe(boundPort: null);
    }

    private (SiteInfo Site, byte[] Encoded, HandleValue Value) _described;

    /// <summary>Describes the site again with the port the listener is bound to (the system's choice for port 0).</summary>
    public void ListeningOn(int port) => _described = Describe(port);

    private (SiteInfo, byte[], HandleValue) Describe(int? boundPort)
    {
        var options = _handle.Value;
        var endpoints = _endpoints;
        var (host, port) = HandleEndpoint.TryParse(options.HandleUrl, out var listenHost, out var listenPort, out _) ? (listenHost, boundPort ?? listenPort) : ("127.0.0.1", HandleEndpoint.DefaultPort);
        var address = IPAddress.TryParse(options.HandleSiteAddress, out var given) ? given : HandleEndpoint.ListenAddress(host) ?? IPAddress.Loopback;
        List<ServerInterface> interfaces =
        [
            new(InterfaceKind.Query, InterfaceProtocol.Tcp, port),
            new(InterfaceKind.Query, InterfaceProtocol.Udp, port),
        ];
        if (Uri.TryCreate(endpoints.Value.HttpUrl, UriKind.Absolute, out var http))
        {
            interfaces.Add(new(InterfaceKind.Query, InterfaceProtocol.Http, http.Port));
        }

        if (Uri.TryCreate(endpoints.Value.HttpsUrl, UriKind.Absolute, out var https))
        {
            interfaces.Add(new(InterfaceKind.Query, InterfaceProtocol.Https, https.Port));
        }

        var version = typeof(NodeSite).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";
        // The serial number changes with what the site says, so a client that cached the site sees the change.
        // A stable hash (HashCode is seeded per process): every replica and every restart lists the same serial.
        var described = System.Text.Encoding.UTF8.GetBytes($"{address}|{port}|{http?.Port}|{https?.Port}");
        var serial = (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Security.Cryptography.SHA256.HashData(described)) % 0x7FFF) + 1;
        var site = new SiteInfo(serial, IsPrimary: true, MultiPrimary: false, HashOption: 0, [new SiteAttribute("desc", $"Resolver {version}")], [new ServerInfo(1, address, ReadOnlyMemory<byte>.Empty, interfaces)]);
        var encoded = site.Encode();
        return (site, encoded, SiteValue(encoded, SiteTtl, _time.GetUtcNow()));
    }

    /// <summary>This node's site.</summary>
    public SiteInfo Site => _described.Site;

    /// <summary>This node's site, encoded.</summary>
    public byte[] Encoded => _described.Encoded;

    /// <summary>The HS_SITE value naming this node.</summary>
    public HandleValue Value => _described.Value;

    /// <summary>An HS_SITE value holding <paramref name="site"/>.</summary>
    public static HandleValue SiteValue(byte[] site, int ttl, DateTimeOffset timestamp) =>
        new(SiteValueIndex, HandleProtocol.SiteType, ValueData.FromBytes(site), ttl, timestamp, ValuePermissions.Default, []);

    /// <summary>
    /// The site of a delegation to Handle servers: one server per <c>hdl://</c> endpoint, TCP then UDP on its port.
    /// Host names are looked up now; null when no endpoint is a Handle one (a gRPC site has no Handle interface).
    /// </summary>
    public static async Task<SiteInfo?> OfEndpointsAsync(IReadOnlyList<string> endpoints, CancellationToken cancellationToken)
    {
        var servers = new List<ServerInfo>();
        foreach (var endpoint in endpoints)
        {
            if (!HandleEndpoint.TryParse(endpoint, out var host, out var port, out _))
            {
                continue;
            }

            var address = IPAddress.TryParse(host, out var literal)
                ? literal
                : (await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
            if (address is not null)
            {
                servers.Add(new ServerInfo(servers.Count + 1, address, ReadOnlyMemory<byte>.Empty,
                    [new(InterfaceKind.Query, InterfaceProtocol.Tcp, port), new(InterfaceKind.Query, InterfaceProtocol.Udp, port)]));
            }
        }

        return servers.Count == 0 ? null : new SiteInfo(1, IsPrimary: true, MultiPrimary: false, HashOption: 0, [], servers);
    }
}
