namespace Resolver.Core.Security;

/// <summary>An owner lets a grantee read its non-public values under a prefix, optionally only some types.</summary>
/// <param name="Owner">The granting enterprise.</param>
/// <param name="Grantee">The enterprise that may read.</param>
/// <param name="Prefix">The prefix (and its sub-prefixes) the grant covers; it must be one the owner owns.</param>
/// <param name="Types">Value types the grant is narrowed to ("URL." includes subtypes); empty means all types.</param>
/// <param name="CreatedAt">When it was granted.</param>
public sealed record ReadGrant(string Owner, string Grantee, string Prefix, IReadOnlyList<string> Types, DateTimeOffset CreatedAt);
