namespace Resolver.Core.Security;

/// <summary>An enterprise: owns prefixes, holds API keys, grants read access to others.</summary>
/// <param name="Name">Canonical (lower-case) name, unique on the node.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record Enterprise(string Name, DateTimeOffset CreatedAt);
