namespace Resolver.Server.Configuration;

/// <summary>The Handle protocol listener (RFC 3652 over TCP and UDP; flags in <see cref="ServerSettings"/>, docs/handle-protocol.md).</summary>
public sealed class HandleOptions
{
    /// <summary>Where the Handle protocol is served on TCP and UDP, <c>hdl://HOST:PORT</c>; <c>none</c> turns it off.</summary>
    public string HandleUrl { get; set; } = "hdl://127.0.0.1:2641";

    /// <summary>
    /// The IP address clients reach this node at, written into its site information (HS_SITE); empty: the listener's
    /// address, which must then be a specific one (not 0.0.0.0 or ::).
    /// </summary>
    public string HandleSiteAddress { get; set; } = "";

    /// <summary>Seconds a TCP connection may stay without a request before it is closed (the national SDKs keep one open and reuse it).</summary>
    [SettingRange(600, 86_400)]
    public int HandleIdleSeconds { get; set; } = 600;

    /// <summary>
    /// The largest answer sent over UDP, in bytes on the wire (datagrams with their envelopes); a larger one is replaced
    /// by an error telling the client to ask over TCP. Two datagrams: most records fit, and a spoofed request of 57 bytes
    /// can make the node send at most 1,024 bytes (18×) to the address it names.
    /// </summary>
    [SettingRange(512, 65_536)]
    public int HandleUdpAnswerBytes { get; set; } = 1024;

    /// <summary>True when the listener is on.</summary>
    public bool Enabled => !string.Equals(HandleUrl, "none", StringComparison.OrdinalIgnoreCase) && HandleUrl.Length > 0;
}
