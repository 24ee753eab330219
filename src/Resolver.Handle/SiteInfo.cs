using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Resolver.Handle;

/// <summary>
/// A Handle site (RFC 3651 §3.2.2, the data of an <c>HS_SITE</c> value and of a get-site-info answer): its servers and
/// the interfaces each listens on. Encoded as CNRI's <c>Encoder.encodeSiteInfoRecord</c> does.
/// </summary>
/// <param name="SerialNumber">Changes whenever the site's description does.</param>
/// <param name="IsPrimary">The site holds the primary copy of its handles (writes go there).</param>
/// <param name="MultiPrimary">More than one primary site exists.</param>
/// <param name="HashOption">How handles are spread over several servers: 0 by prefix, 1 by suffix, 2 by the whole handle.</param>
/// <param name="Attributes">Name/value pairs, e.g. <c>desc</c>.</param>
/// <param name="Servers">The servers; a client picks one by the hash of the handle.</param>
public sealed record SiteInfo(int SerialNumber, bool IsPrimary, bool MultiPrimary, byte HashOption, IReadOnlyList<SiteAttribute> Attributes, IReadOnlyList<ServerInfo> Servers)
{
    private const byte PrimaryBit = 0x80, MultiPrimaryBit = 0x40;

    /// <summary>The format version of the encoding (1).</summary>
    public const int DataFormatVersion = 1;

    /// <summary>Encodes the site as the data of an <c>HS_SITE</c> value.</summary>
    public byte[] Encode()
    {
        var output = new ArrayBufferWriter<byte>(128);
        var writer = new BodyWriter(output);
        writer.WriteByte(0);
        writer.WriteByte(DataFormatVersion);
        writer.WriteByte(HandleProtocol.MajorVersion);
        writer.WriteByte(HandleProtocol.MinorVersion);
        writer.WriteByte((byte)(SerialNumber >> 8));
        writer.WriteByte((byte)SerialNumber);
        writer.WriteByte((byte)((IsPrimary ? PrimaryBit : 0) | (MultiPrimary ? MultiPrimaryBit : 0)));
        writer.WriteByte(HashOption);
        writer.WriteInt32(0); // hash filter: none
        writer.WriteInt32(Attributes.Count);
        foreach (var attribute in Attributes)
        {
            writer.WriteString(attribute.Name);
            writer.WriteString(attribute.Value);
        }

        writer.WriteInt32(Servers.Count);
        Span<byte> address = stackalloc byte[16];
        foreach (var server in Servers)
        {
            writer.WriteInt32(server.ServerId);
            address.Clear();
            var bytes = server.Address.GetAddressBytes();
            bytes.CopyTo(address[(16 - bytes.Length)..]); // IPv4 right-aligned after 12 zero bytes, as CNRI writes it
            writer.WriteRaw(address);
            writer.WriteBytes(server.PublicKey.Span);
            writer.WriteInt32(server.Interfaces.Count);
            foreach (var face in server.Interfaces)
            {
                writer.WriteByte((byte)face.Kind);
                writer.WriteByte((byte)face.Protocol);
                writer.WriteInt32(face.Port);
            }
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Decodes the data of an <c>HS_SITE</c> value.</summary>
    /// <exception cref="HandleProtocolException">The data is not a site description.</exception>
    public static SiteInfo Decode(ReadOnlySpan<byte> data)
    {
        var reader = new BodyReader(data);
        reader.ReadFixed(4, "the site's format and protocol version");
        var serial = (reader.ReadByte("the site's serial number") << 8) | reader.ReadByte("the site's serial number");
        var primary = reader.ReadByte("the site's primary flags");
        var hashOption = reader.ReadByte("the site's hash option");
        reader.ReadBytes("the site's hash filter", 1024);
        var attributes = new SiteAttribute[reader.ReadCount("the site's attributes", 8, 1024)];
        for (var i = 0; i < attributes.Length; i++)
        {
            attributes[i] = new SiteAttribute(reader.ReadString("an attribute name", 4096), reader.ReadString("an attribute value", 65_536));
        }

        var servers = new ServerInfo[reader.ReadCount("the site's servers", 28, 1024)];
        for (var i = 0; i < servers.Length; i++)
        {
            var id = reader.ReadInt32("a server id");
            var address = AddressOf(reader.ReadFixed(16, "a server address"));
            var key = reader.ReadBytes("a server key", 65_536).ToArray();
            var interfaces = new ServerInterface[reader.ReadCount("a server's interfaces", 6, 64)];
            for (var j = 0; j < interfaces.Length; j++)
            {
                interfaces[j] = new ServerInterface((InterfaceKind)reader.ReadByte("an interface type"), (InterfaceProtocol)reader.ReadByte("an interface protocol"), reader.ReadInt32("an interface port"));
            }

            servers[i] = new ServerInfo(id, address, key, interfaces);
        }

        if (reader.Remaining != 0)
        {
            throw new HandleProtocolException($"{reader.Remaining} bytes after the site description");
        }

        return new SiteInfo(serial, (primary & PrimaryBit) != 0, (primary & MultiPrimaryBit) != 0, hashOption, attributes, servers);
    }

    // CNRI writes IPv4 as 12 zero bytes and the address; IPv4-mapped IPv6 (::ffff:a.b.c.d) is read as IPv4 too.
    private static IPAddress AddressOf(ReadOnlySpan<byte> bytes)
    {
        var address = new IPAddress(bytes);
        if (bytes[..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return new IPAddress(bytes[12..]);
        }

        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}

/// <summary>A name/value attribute of a site (e.g. <c>desc</c>).</summary>
#pragma warning disable CA1711 // RFC 3651 §3.2.2 names them attributes
public sealed record SiteAttribute(string Name, string Value);
#pragma warning restore CA1711

/// <summary>One server of a site.</summary>
/// <param name="ServerId">Its number in the site.</param>
/// <param name="Address">Where it is reached.</param>
/// <param name="PublicKey">Its public key in CNRI's encoding, which signs certified answers; empty when it signs none.</param>
/// <param name="Interfaces">What it listens on, in the order clients try them.</param>
public sealed record ServerInfo(int ServerId, IPAddress Address, ReadOnlyMemory<byte> PublicKey, IReadOnlyList<ServerInterface> Interfaces)
{
    /// <summary>The <c>hdl://</c> endpoint of its first Handle-protocol interface (TCP or UDP), or null when it has none.</summary>
    public string? HandleEndpoint(InterfaceProtocol preferred = InterfaceProtocol.Tcp)
    {
        var face = Interfaces.FirstOrDefault(i => i.Protocol == preferred && i.Kind.HasFlag(InterfaceKind.Query))
                   ?? Interfaces.FirstOrDefault(i => i.Protocol is InterfaceProtocol.Tcp or InterfaceProtocol.Udp && i.Kind.HasFlag(InterfaceKind.Query));
        if (face is null)
        {
            return null;
        }

        var host = Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString();
        return $"hdl://{host}:{face.Port}";
    }
}

/// <summary>One interface of a server.</summary>
/// <param name="Kind">What it serves: queries, administration, both, or nothing (out of service).</param>
/// <param name="Protocol">UDP, TCP, HTTP or HTTPS.</param>
/// <param name="Port">Its port.</param>
public sealed record ServerInterface(InterfaceKind Kind, InterfaceProtocol Protocol, int Port);

/// <summary>What an interface serves (CNRI's <c>Interface.ST_*</c>).</summary>
[Flags]
public enum InterfaceKind : byte
{
    /// <summary>Out of service.</summary>
    OutOfService = 0,

    /// <summary>Administration (writes).</summary>
    Admin = 1,

    /// <summary>Queries (resolution).</summary>
    Query = 2,

    /// <summary>Administration and queries.</summary>
    AdminAndQuery = Admin | Query,
}

/// <summary>The transport of an interface (CNRI's <c>Interface.SP_*</c>).</summary>
public enum InterfaceProtocol : byte
{
    /// <summary>The Handle protocol over UDP.</summary>
    Udp = 0,

    /// <summary>The Handle protocol over TCP.</summary>
    Tcp = 1,

    /// <summary>Handle messages over HTTP (CNRI's HTTP interface, which also serves its REST API).</summary>
    Http = 2,

    /// <summary>The same over HTTPS.</summary>
    Https = 3,
}
