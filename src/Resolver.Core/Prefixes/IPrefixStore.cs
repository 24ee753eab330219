using Resolver.Core.Errors;

namespace Resolver.Core.Prefixes;

/// <summary>Durable storage of the prefixes a node homes and delegates.</summary>
public interface IPrefixStore
{
    /// <summary>Adds <paramref name="entry"/> unless its prefix is known; returns the entry now stored and whether it was added.</summary>
    ValueTask<(PrefixEntry Entry, bool Created)> AddAsync(PrefixEntry entry, CancellationToken cancellationToken);

    /// <summary>Every entry, in canonical (byte) order of prefix.</summary>
    ValueTask<IReadOnlyList<PrefixEntry>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Creates the delegation <paramref name="entry"/> (kind <see cref="PrefixKind.Delegated"/>), or replaces the sites and TTL of
    /// the delegation already stored for its prefix (keeping its creation time); returns the entry now stored and whether it
    /// was created. A prefix homed here is refused with <see cref="PrefixStoreRefusals.Homed"/> and left as it is.
    /// </summary>
    ValueTask<(PrefixEntry Entry, bool Created)> PutDelegationAsync(PrefixEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the delegation of <paramref name="prefix"/>; false when there was none. A prefix homed here is refused with
    /// <see cref="PrefixStoreRefusals.Homed"/> and left as it is.
    /// </summary>
    ValueTask<bool> RemoveDelegationAsync(string prefix, CancellationToken cancellationToken);
}

/// <summary>The refusals every <see cref="IPrefixStore"/> gives in the same words.</summary>
public static class PrefixStoreRefusals
{
    /// <summary>FAILED_PRECONDITION <c>prefix-homed</c>: a delegation cannot replace (or be removed from) a prefix this node homes.</summary>
    public static ResolverException Homed(string prefix) => new(new Problem(
        ErrorKind.FailedPrecondition,
        Reasons.PrefixHomed,
        $"prefix {prefix} is homed here, not delegated: this node is authoritative for it (delegate a sub-prefix of it instead)",
        Prefix: prefix));
}
