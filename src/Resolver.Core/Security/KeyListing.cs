namespace Resolver.Core.Security;

/// <summary>
/// A page of one enterprise's API keys as <see cref="AccessAdministration.ListKeysAsync"/> shows them: newest first, and
/// whether older ones follow (the next page starts after the last key of this one).
/// </summary>
public sealed record KeyListing(IReadOnlyList<ApiKey> Keys, bool More);
