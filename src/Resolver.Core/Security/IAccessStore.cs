namespace Resolver.Core.Security;

/// <summary>Durable storage of enterprises, API keys, read grants and the audit log.</summary>
public interface IAccessStore
{
    /// <summary>
    /// In one transaction, all or nothing: refuses when the name is taken or when an enterprise owns <paramref name="prefix"/>,
    /// a prefix above it or one under it (owned prefixes never nest); otherwise homes <paramref name="prefix"/> when it is not
    /// yet, makes the enterprise its owner, and adds the enterprise, <paramref name="firstKey"/> and <paramref name="audit"/>.
    /// Concurrent calls behave as if one ran after the other.
    /// </summary>
    /// <param name="enterprise">The new enterprise.</param>
    /// <param name="prefix">A canonical prefix for it to own, or null.</param>
    /// <param name="firstKey">Its first API key.</param>
    /// <param name="audit">The audit entry of the successful creation.</param>
    /// <param name="cancellationToken">Cancels the call (and rolls back).</param>
    ValueTask<EnterpriseCreation> CreateEnterpriseAsync(Enterprise enterprise, string? prefix, ApiKey firstKey, AuditEntry audit, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<Enterprise>> ListEnterprisesAsync(CancellationToken cancellationToken);

    /// <summary>The enterprise named <paramref name="name"/> (canonical), or null: one row, not the table.</summary>
    ValueTask<Enterprise?> GetEnterpriseAsync(string name, CancellationToken cancellationToken);

    /// <summary>The key with id <paramref name="id"/>, revoked or not, or null: one row, not the table.</summary>
    ValueTask<ApiKey?> GetKeyAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="key"/> and its <paramref name="audit"/> row in one transaction, unless its enterprise holds
    /// <paramref name="maxLiveKeys"/> live (not revoked) keys already: then false, writing nothing. Concurrent calls for
    /// one enterprise behave as if one ran after the other, so together they never pass the cap.
    /// </summary>
    ValueTask<bool> AddKeyAsync(ApiKey key, int maxLiveKeys, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Marks the key revoked and writes <paramref name="audit"/> in one transaction; false (writing nothing) when there is no such live key.</summary>
    ValueTask<bool> RevokeKeyAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Every key ever issued, revoked ones included.</summary>
    ValueTask<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The keys of <paramref name="enterprise"/> (canonical), newest first (by issue time, then by id, both descending),
    /// revoked ones only when <paramref name="includeRevoked"/>, only those after <paramref name="before"/> in that order
    /// when given (the last key of the previous page), at most <paramref name="limit"/>: one enterprise's rows, not the table.
    /// </summary>
    ValueTask<IReadOnlyList<ApiKey>> ListKeysAsync(string enterprise, bool includeRevoked, ApiKey? before, int limit, CancellationToken cancellationToken);

    /// <summary>The keys not revoked: what the access directory loads (revoked keys only grow the table).</summary>
    ValueTask<IReadOnlyList<ApiKey>> ListLiveKeysAsync(CancellationToken cancellationToken);

    /// <summary>Adds or replaces the grant of (owner, grantee, prefix) and writes <paramref name="audit"/> in one transaction.</summary>
    ValueTask PutGrantAsync(ReadGrant grant, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Removes the grant and writes <paramref name="audit"/> in one transaction; false (writing nothing) when there was none.</summary>
    ValueTask<bool> RemoveGrantAsync(string owner, string grantee, string prefix, AuditEntry audit, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<ReadGrant>> ListGrantsAsync(CancellationToken cancellationToken);

    /// <summary>The grants <paramref name="grantee"/> holds, from any owner.</summary>
    ValueTask<IReadOnlyList<ReadGrant>> ListGrantsToAsync(string grantee, CancellationToken cancellationToken);

    ValueTask AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>The newest entries first, up to <paramref name="limit"/>, older than <paramref name="beforeSequence"/> when given.</summary>
    ValueTask<IReadOnlyList<AuditEntry>> ListAuditAsync(long? beforeSequence, int limit, CancellationToken cancellationToken);
}
