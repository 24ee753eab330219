namespace Resolver.Handle;

/// <summary>The options of a message (RFC 3652 §2.2.2.3), bit values as CNRI's <c>Encoder.MSG_FLAG_*</c>.</summary>
[Flags]
#pragma warning disable CA1028, CA1711 // RFC 3652 names them flags, a 32-bit unsigned word on the wire
public enum OpFlags : uint
#pragma warning restore CA1028, CA1711
{
    /// <summary>No option.</summary>
    None = 0,

    /// <summary>AT: answer from a primary server only, not from a cache.</summary>
    Authoritative = 0x8000_0000,

    /// <summary>CT: sign the response.</summary>
    Certify = 0x4000_0000,

    /// <summary>ENC: encrypt the response.</summary>
    Encrypt = 0x2000_0000,

    /// <summary>REC: resolve at the responsible server when this one is not.</summary>
    Recursive = 0x1000_0000,

    /// <summary>CA: a cache may sign the response.</summary>
    CacheCertify = 0x0800_0000,

    /// <summary>CN: more messages of this response follow.</summary>
    Continuous = 0x0400_0000,

    /// <summary>KPA: keep the connection open for more requests.</summary>
    KeepAlive = 0x0200_0000,

    /// <summary>PO: return public values only.</summary>
    PublicOnly = 0x0100_0000,

    /// <summary>RD: the response carries a digest of the request.</summary>
    ReturnRequestDigest = 0x0080_0000,

    /// <summary>OVRW: overwrite what exists (creation).</summary>
    Overwrite = 0x0040_0000,

    /// <summary>MINT: mint a new suffix (creation).</summary>
    MintNewSuffix = 0x0020_0000,

    /// <summary>DNRF: do not answer with a referral.</summary>
    DoNotRefer = 0x0010_0000,
}
