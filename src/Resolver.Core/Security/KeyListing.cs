namespace Resolver.Core.Security;

/// <summary>
/// One enterprise's API keys as <see cref="AccessAdministration.ListKeysAsync"/> shows them: newest first, and whether
/// older ones were left out (<see cref="AccessAdministration.MaxListedKeys"/>).
/// </summary>
public sealed record KeyListing(IReadOnlyList<ApiKey> Keys, bool More);
