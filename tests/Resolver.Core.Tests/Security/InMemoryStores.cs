using Resolver.Core.Prefixes;
using Resolver.Core.Security;

namespace Resolver.Core.Tests.Security;

/// <summary>Prefixes in memory, for unit tests of the administration without I/O.</summary>
public sealed class InMemoryPrefixStore : IPrefixStore
{
    /// <summary>Guards the prefixes, and the access store's enterprise creation that reads and writes them.</summary>
    internal object Gate { get; } = new();

    internal SortedDictionary<string, PrefixEntry> Entries { get; } = new(StringComparer.Ordinal);

    public ValueTask<(PrefixEntry Entry, bool Created)> AddAsync(PrefixEntry entry, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return ValueTask.FromResult(Entries.TryAdd(entry.Prefix, entry) ? (entry, true) : (Entries[entry.Prefix], false));
        }
    }

    public ValueTask<IReadOnlyList<PrefixEntry>> ListAsync(CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return ValueTask.FromResult<IReadOnlyList<PrefixEntry>>([.. Entries.Values]);
        }
    }

    public ValueTask<(PrefixEntry Entry, bool Created)> PutDelegationAsync(PrefixEntry entry, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (Entries.TryGetValue(entry.Prefix, out var existing))
            {
                if (existing.Kind == PrefixKind.Homed)
                {
                    throw PrefixStoreRefusals.Homed(entry.Prefix);
                }

                return ValueTask.FromResult((Entries[entry.Prefix] = existing with { Endpoints = entry.Endpoints, Ttl = entry.Ttl }, false));
            }

            return ValueTask.FromResult((Entries[entry.Prefix] = entry with { Kind = PrefixKind.Delegated }, true));
        }
    }

    public ValueTask<bool> RemoveDelegationAsync(string prefix, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            return !Entries.TryGetValue(prefix, out var existing) ? ValueTask.FromResult(false)
                : existing.Kind == PrefixKind.Homed ? throw PrefixStoreRefusals.Homed(prefix)
                : ValueTask.FromResult(Entries.Remove(prefix));
        }
    }
}

/// <summary>Enterprises, keys, grants and the audit log in memory; enterprise creation is atomic under the prefix store's lock.</summary>
public sealed class InMemoryAccessStore(InMemoryPrefixStore prefixes) : IAccessStore
{
    private readonly List<Enterprise> _enterprises = [];
    private readonly List<ApiKey> _keys = [];
    private readonly List<ReadGrant> _grants = [];
    private readonly List<AuditEntry> _audit = [];

    private object Gate => prefixes.Gate;

    public ValueTask<EnterpriseCreation> CreateEnterpriseAsync(Enterprise enterprise, string? prefix, ApiKey firstKey, AuditEntry audit, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (prefix is not null)
            {
                var owned = PrefixPath.SelfAndAncestors(prefix).Select(p => prefixes.Entries.GetValueOrDefault(p)).FirstOrDefault(e => e?.Owner is not null)
                    ?? prefixes.Entries.Values.FirstOrDefault(e => e.Owner is not null && PrefixPath.IsSelfOrDescendant(e.Prefix, prefix));
                if (owned is not null)
                {
                    return ValueTask.FromResult(new EnterpriseCreation(EnterpriseCreationOutcome.PrefixOwned, owned.Prefix, owned.Owner));
                }
            }

            if (_enterprises.Any(e => e.Name == enterprise.Name))
            {
                return ValueTask.FromResult(EnterpriseCreation.NameTaken);
            }

            if (prefix is not null && prefixes.Entries.TryGetValue(prefix, out var existing) && existing.Kind != PrefixKind.Homed)
            {
                return ValueTask.FromResult(new EnterpriseCreation(EnterpriseCreationOutcome.PrefixDelegated, prefix));
            }

            if (prefix is not null)
            {
                prefixes.Entries[prefix] = prefixes.Entries.TryGetValue(prefix, out var homed)
                    ? homed with { Owner = enterprise.Name }
                    : new PrefixEntry(prefix, PrefixKind.Homed, [], enterprise.CreatedAt, enterprise.Name);
            }

            _enterprises.Add(enterprise);
            _keys.Add(firstKey);
            Append(audit);
            return ValueTask.FromResult(EnterpriseCreation.Created);
        }
    }

    public ValueTask<IReadOnlyList<Enterprise>> ListEnterprisesAsync(CancellationToken cancellationToken) => Read(() => _enterprises.OrderBy(e => e.Name, StringComparer.Ordinal));

    public async ValueTask<Enterprise?> GetEnterpriseAsync(string name, CancellationToken cancellationToken) =>
        (await ListEnterprisesAsync(cancellationToken)).FirstOrDefault(e => e.Name == name);

    public async ValueTask<ApiKey?> GetKeyAsync(string id, CancellationToken cancellationToken) =>
        (await ListKeysAsync(cancellationToken)).FirstOrDefault(k => k.Id == id);

    public ValueTask<bool> AddKeyAsync(ApiKey key, int maxLiveKeys, AuditEntry audit, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (_keys.Count(k => k.Enterprise == key.Enterprise && k.RevokedAt is null) >= maxLiveKeys)
            {
                return ValueTask.FromResult(false);
            }

            _keys.Add(key);
            Append(audit);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> RevokeKeyAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var index = _keys.FindIndex(k => k.Id == id && k.RevokedAt is null);
            if (index >= 0)
            {
                _keys[index] = _keys[index] with { RevokedAt = at };
                Append(audit);
            }

            return ValueTask.FromResult(index >= 0);
        }
    }

    public ValueTask<IReadOnlyList<ApiKey>> ListKeysAsync(CancellationToken cancellationToken) => Read(() => _keys);

    public ValueTask<IReadOnlyList<ApiKey>> ListKeysAsync(string enterprise, bool includeRevoked, ApiKey? before, int limit, CancellationToken cancellationToken) =>
        Read(() => _keys.Where(k => k.Enterprise == enterprise && (includeRevoked || k.RevokedAt is null))
            .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id, StringComparer.Ordinal)
            .Where(k => before is null || k.CreatedAt < before.CreatedAt || (k.CreatedAt == before.CreatedAt && string.CompareOrdinal(k.Id, before.Id) < 0))
            .Take(limit));

    public ValueTask<IReadOnlyList<ApiKey>> ListLiveKeysAsync(CancellationToken cancellationToken) => Read(() => _keys.Where(k => k.RevokedAt is null));

    public ValueTask PutGrantAsync(ReadGrant grant, AuditEntry audit, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            _grants.RemoveAll(g => (g.Owner, g.Grantee, g.Prefix) == (grant.Owner, grant.Grantee, grant.Prefix));
            _grants.Add(grant);
            Append(audit);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> RemoveGrantAsync(string owner, string grantee, string prefix, AuditEntry audit, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            var removed = _grants.RemoveAll(g => (g.Owner, g.Grantee, g.Prefix) == (owner, grantee, prefix)) > 0;
            if (removed)
            {
                Append(audit);
            }

            return ValueTask.FromResult(removed);
        }
    }

    public ValueTask<IReadOnlyList<ReadGrant>> ListGrantsAsync(CancellationToken cancellationToken) => Read(() => _grants);

    public ValueTask<IReadOnlyList<ReadGrant>> ListGrantsToAsync(string grantee, CancellationToken cancellationToken) => Read(() => _grants.Where(g => g.Grantee == grantee));

    public ValueTask AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            Append(entry);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<AuditEntry>> ListAuditAsync(long? beforeSequence, int limit, CancellationToken cancellationToken) =>
        Read(() => _audit.Where(e => e.Sequence < (beforeSequence ?? long.MaxValue)).OrderByDescending(e => e.Sequence).Take(limit));

    private void Append(AuditEntry entry) => _audit.Add(entry with { Sequence = _audit.Count + 1 });

    private ValueTask<IReadOnlyList<T>> Read<T>(Func<IEnumerable<T>> rows)
    {
        lock (Gate)
        {
            return ValueTask.FromResult<IReadOnlyList<T>>([.. rows()]);
        }
    }
}
