namespace Resolver.Core.Security;

/// <summary>A stored API key: only a salted hash of its secret is kept.</summary>
/// <param name="Id">The public key id (the part after "rk_" up to the next '_').</param>
/// <param name="Enterprise">The enterprise it authenticates.</param>
/// <param name="Salt">Random salt for the hash.</param>
/// <param name="Hash">SHA-256 of salt and secret.</param>
/// <param name="CreatedAt">When it was issued.</param>
/// <param name="RevokedAt">When it was revoked; null while valid.</param>
public sealed record ApiKey(string Id, string Enterprise, byte[] Salt, byte[] Hash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt = null);
