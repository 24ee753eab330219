namespace Resolver.Handle;

/// <summary>Operation codes (RFC 3652 §2.2.2.1; the numbers CNRI's <c>AbstractMessage</c> uses).</summary>
public static class OpCode
{
    /// <summary>Resolve a handle, optionally only some of its values.</summary>
    public const int Resolution = 1;

    /// <summary>Ask a server for its site information (HS_SITE).</summary>
    public const int GetSiteInfo = 2;

    /// <summary>The first administration operation (create handle); 100–105 change handles, 200–201 authenticate, 300–302 manage prefixes, 400–402 sessions, 1000–1003 replication.</summary>
    public const int CreateHandle = 100;

    /// <summary>A short name for a code, for logs and metrics.</summary>
    public static string Name(int opCode) => opCode switch
    {
        Resolution => "resolution",
        GetSiteInfo => "site-info",
        >= 100 and <= 105 => "administration",
        >= 200 and <= 201 => "authentication",
        >= 300 and <= 302 => "prefix-administration",
        >= 400 and <= 402 => "session",
        >= 1000 and <= 1003 => "replication",
        _ => "unknown",
    };
}
