using System.Globalization;

namespace Resolver.Server.Configuration;

/// <summary>Credentials the node accepts and how often a caller may call (flags in <see cref="ServerSettings"/>).</summary>
public sealed class SecurityOptions
{
    /// <summary>
    /// The administrator's bearer token. Without it the embedded store generates one on first start
    /// into &lt;data-dir&gt;/admin-token (mode 0600); with PostgreSQL it is required.
    /// </summary>
    public string AdminToken { get; set; } = "";

    /// <summary>
    /// HMAC-SHA256 key (at least 32 bytes of text) that signs accepted JWT bearer tokens; empty disables JWTs.
    /// A token's "sub" names the enterprise, or "role": "admin" makes it the administrator's.
    /// </summary>
    public string JwtSigningKey { get; set; } = "";

    /// <summary>The "iss" JWTs must carry; empty accepts any issuer.</summary>
    public string JwtIssuer { get; set; } = "";

    /// <summary>The "aud" JWTs must carry; empty accepts any audience.</summary>
    public string JwtAudience { get; set; } = "";

    /// <summary>Requests per second each caller (enterprise, admin, or client address when anonymous) may make to resolver.v1 services, as a token bucket of that size; "off" disables it.</summary>
    public string RateLimit { get; set; } = "1000";

    /// <summary>
    /// Origins whose web pages may read anonymously across origins (CORS): comma-separated <c>scheme://host[:port]</c>,
    /// "*" for any, or "none"; never with credentials (Rest.CrossOriginReads).
    /// </summary>
    public string CorsOrigins { get; set; } = "*";

    /// <summary>The rate limit in requests per second; 0 when off, -1 when not a number.</summary>
    public int RateLimitPerSecond => RateLimit.Equals("off", StringComparison.OrdinalIgnoreCase) ? 0 : int.TryParse(RateLimit, CultureInfo.InvariantCulture, out var rate) ? rate : -1;
}
