namespace Resolver.Core.Records;

/// <summary>An identifier's record: ordered values plus version and times; a tombstone once deleted.</summary>
/// <param name="Key">The canonical identifier, the store's key.</param>
/// <param name="Identifier">The identifier as registered (NFC, original case).</param>
/// <param name="Version">1 on creation, +1 on every change, deletion and reuse included.</param>
/// <param name="Values">The values ordered by index; empty for a tombstone.</param>
/// <param name="CreatedAt">When the identifier was (last) registered.</param>
/// <param name="UpdatedAt">When the record last changed.</param>
/// <param name="DeletedAt">When it was deleted; null while it lives.</param>
public sealed record HandleRecord(
    string Key,
    string Identifier,
    long Version,
    IReadOnlyList<HandleValue> Values,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt = null)
{
    /// <summary>True for the tombstone a deletion leaves.</summary>
    public bool IsDeleted => DeletedAt is not null;

    /// <summary>The canonical prefix of <see cref="Key"/>.</summary>
    public string Prefix => Key[..Key.IndexOf('/', StringComparison.Ordinal)];
}
