namespace Resolver.Handle;

/// <summary>
/// The fixed numbers of the Handle protocol: sizes from RFC 3652 §2, the versions this implementation speaks, and the
/// limits CNRI's Handle.Net 9 applies (<c>net.handle.hdllib.Common</c>), which every client derived from it expects.
/// </summary>
public static class HandleProtocol
{
    /// <summary>Bytes of the message envelope that precedes every message and every UDP datagram (RFC 3652 §2.2.1).</summary>
    public const int EnvelopeSize = 20;

    /// <summary>Bytes of the message header (RFC 3652 §2.2.2).</summary>
    public const int HeaderSize = 24;

    /// <summary>The largest message (header, body and credential) either side accepts: 256 KiB, CNRI's <c>MAX_MESSAGE_LENGTH</c>.</summary>
    public const int MaxMessageLength = 262_144;

    /// <summary>The largest UDP datagram, envelope included (RFC 3652 §2.3).</summary>
    public const int MaxDatagramSize = 512;

    /// <summary>The message bytes one UDP datagram carries after its envelope: 492.</summary>
    public const int DatagramPayloadSize = MaxDatagramSize - EnvelopeSize;

    /// <summary>The protocol version this implementation speaks and suggests: 2.11, as CNRI's Handle.Net 9.</summary>
    public const byte MajorVersion = 2, MinorVersion = 11;

    /// <summary>The oldest version answered: 2.1, the first whose messages carry the request digest and error message as today.</summary>
    public const byte OldestMinorVersion = 1;

    /// <summary>The largest handle in a message, in bytes (CNRI's <c>MAX_HANDLE_LENGTH</c>).</summary>
    public const int MaxHandleLength = 2048;

    /// <summary>The most values one message may carry (CNRI's <c>MAX_HANDLE_VALUES</c>).</summary>
    public const int MaxValues = 2048;

    /// <summary>The most indexes or types one resolution request may list before it is refused outright, before any filter limit of the node.</summary>
    public const int MaxListLength = 4096;

    /// <summary>Seconds a response is valid for, from its sending: CNRI's clients refuse a response whose expiration has passed; CNRI uses 12 hours.</summary>
    public const int ResponseLifetimeSeconds = 43_200;

    /// <summary>The prefix of the handles that describe prefixes (RFC 3651 §3.2): <c>0.NA/88.168</c> holds the site of <c>88.168</c>.</summary>
    public const string PrefixHandlePrefix = "0.NA/";

    /// <summary>The value type of site information (RFC 3651 §3.2.2).</summary>
    public const string SiteType = "HS_SITE";

    /// <summary>The value type of a site that also serves every prefix derived from the prefix (Handle.Net 8+, "prefix referral").</summary>
    public const string SitePrefixType = "HS_SITE.PREFIX";
}
