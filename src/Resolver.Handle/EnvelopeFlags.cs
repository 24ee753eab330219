namespace Resolver.Handle;

/// <summary>The flags of a message envelope (RFC 3652 §2.2.1.3), in the high bits of its third byte as CNRI encodes them.</summary>
[Flags]
#pragma warning disable CA1711 // RFC 3652 names them flags
public enum EnvelopeFlags : byte
#pragma warning restore CA1711
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>CP: the message is compressed (not supported here).</summary>
    Compressed = 0x80,

    /// <summary>EC: the message is encrypted with a session key (not supported here).</summary>
    Encrypted = 0x40,

    /// <summary>TC: the message is truncated: one of several UDP datagrams, or (from this implementation) an answer too large for UDP.</summary>
    Truncated = 0x20,
}
