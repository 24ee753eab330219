namespace Resolver.Core.Prefixes;

/// <summary>Durable storage of the prefixes a node homes and delegates.</summary>
public interface IPrefixStore
{
    /// <summary>Adds <paramref name="entry"/> unless its prefix is known; returns the entry now stored and whether it was added.</summary>
    ValueTask<(PrefixEntry Entry, bool Created)> AddAsync(PrefixEntry entry, CancellationToken cancellationToken);

    /// <summary>Every entry, in canonical (byte) order of prefix.</summary>
    ValueTask<IReadOnlyList<PrefixEntry>> ListAsync(CancellationToken cancellationToken);
}
