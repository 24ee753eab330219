using System.Collections.Immutable;

namespace Resolver.Core.Security;

/// <summary>
/// An immutable view of enterprises, live API keys and read grants, for the hot path. A change makes a new snapshot that
/// shares everything it did not touch (persistent maps): one key issued costs O(log n), not a copy of every key, so a
/// stream of administrative calls neither rebuilds the directory nor grows memory past the live data.
/// </summary>
public sealed class AccessSnapshot
{
    public AccessSnapshot(IEnumerable<Enterprise> enterprises, IEnumerable<ApiKey> keys, IEnumerable<ReadGrant> grants)
        : this(
            enterprises.ToImmutableDictionary(e => e.Name, StringComparer.Ordinal),
            keys.Where(k => k.RevokedAt is null).ToImmutableDictionary(k => k.Id, StringComparer.Ordinal),
            grants.GroupBy(g => g.Grantee, StringComparer.Ordinal)
                .ToImmutableDictionary(g => g.Key, g => (IReadOnlyList<ReadGrant>)[.. g], StringComparer.Ordinal))
    {
    }

    private AccessSnapshot(ImmutableDictionary<string, Enterprise> enterprises, ImmutableDictionary<string, ApiKey> keys, ImmutableDictionary<string, IReadOnlyList<ReadGrant>> grantsByGrantee)
    {
        Enterprises = enterprises;
        Keys = keys;
        GrantsByGrantee = grantsByGrantee;
    }

    public static AccessSnapshot Empty { get; } = new(Array.Empty<Enterprise>(), [], []);

    public ImmutableDictionary<string, Enterprise> Enterprises { get; }

    /// <summary>Live (not revoked) keys by id: a revoked key is dropped, so revocations do not accumulate here.</summary>
    public ImmutableDictionary<string, ApiKey> Keys { get; }

    public ImmutableDictionary<string, IReadOnlyList<ReadGrant>> GrantsByGrantee { get; }

    /// <summary>The grants <paramref name="grantee"/> holds.</summary>
    public IReadOnlyList<ReadGrant> GrantsOf(string grantee) => GrantsByGrantee.GetValueOrDefault(grantee) ?? [];

    /// <summary>This snapshot with <paramref name="id"/> as the store has it now: <paramref name="key"/> when live, absent when revoked or gone.</summary>
    public AccessSnapshot WithKey(string id, ApiKey? key) =>
        key is { RevokedAt: null } ? new(Enterprises, Keys.SetItem(id, key), GrantsByGrantee) : Keys.ContainsKey(id) ? new(Enterprises, Keys.Remove(id), GrantsByGrantee) : this;

    /// <summary>This snapshot with the enterprise <paramref name="name"/> as the store has it now.</summary>
    public AccessSnapshot WithEnterprise(string name, Enterprise? enterprise) =>
        enterprise is not null ? new(Enterprises.SetItem(name, enterprise), Keys, GrantsByGrantee) : Enterprises.ContainsKey(name) ? new(Enterprises.Remove(name), Keys, GrantsByGrantee) : this;

    /// <summary>This snapshot with <paramref name="grants"/> as everything <paramref name="grantee"/> holds.</summary>
    public AccessSnapshot WithGrantsTo(string grantee, IReadOnlyList<ReadGrant> grants) =>
        new(Enterprises, Keys, grants.Count == 0 ? GrantsByGrantee.Remove(grantee) : GrantsByGrantee.SetItem(grantee, grants));
}
