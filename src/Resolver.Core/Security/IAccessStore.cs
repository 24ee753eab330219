namespace Resolver.Core.Security;

/// <summary>Durable storage of enterprises, API keys, read grants and the audit log.</summary>
public interface IAccessStore
{
    /// <summary>Adds the enterprise unless one with that name exists; true when added.</summary>
    ValueTask<bool> AddEnterpriseAsync(Enterprise enterprise, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<Enterprise>> ListEnterprisesAsync(CancellationToken cancellationToken);

    ValueTask AddKeyAsync(ApiKey key, CancellationToken cancellationToken);

    /// <summary>Marks the key revoked; false when there is no such live key.</summary>
    ValueTask<bool> RevokeKeyAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken cancellationToken);

    /// <summary>Adds or replaces the grant of (owner, grantee, prefix).</summary>
    ValueTask PutGrantAsync(ReadGrant grant, CancellationToken cancellationToken);

    /// <summary>Removes the grant; false when there was none.</summary>
    ValueTask<bool> RemoveGrantAsync(string owner, string grantee, string prefix, CancellationToken cancellationToken);

    ValueTask<IReadOnlyList<ReadGrant>> ListGrantsAsync(CancellationToken cancellationToken);

    ValueTask AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>The newest entries first, up to <paramref name="limit"/>, older than <paramref name="beforeSequence"/> when given.</summary>
    ValueTask<IReadOnlyList<AuditEntry>> ListAuditAsync(long? beforeSequence, int limit, CancellationToken cancellationToken);
}
