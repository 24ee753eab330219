using System.Collections.Frozen;

namespace Resolver.Core.Security;

/// <summary>An immutable view of enterprises, live API keys and read grants, for the hot path.</summary>
public sealed class AccessSnapshot
{
    public AccessSnapshot(IEnumerable<Enterprise> enterprises, IEnumerable<ApiKey> keys, IEnumerable<ReadGrant> grants)
    {
        Enterprises = enterprises.ToFrozenDictionary(e => e.Name, StringComparer.Ordinal);
        Keys = keys.Where(k => k.RevokedAt is null).ToFrozenDictionary(k => k.Id, StringComparer.Ordinal);
        GrantsByGrantee = grants.GroupBy(g => g.Grantee, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => (IReadOnlyList<ReadGrant>)[.. g], StringComparer.Ordinal);
    }

    public static AccessSnapshot Empty { get; } = new([], [], []);

    public FrozenDictionary<string, Enterprise> Enterprises { get; }

    /// <summary>Live (not revoked) keys by id.</summary>
    public FrozenDictionary<string, ApiKey> Keys { get; }

    public FrozenDictionary<string, IReadOnlyList<ReadGrant>> GrantsByGrantee { get; }

    /// <summary>The grants <paramref name="grantee"/> holds.</summary>
    public IReadOnlyList<ReadGrant> GrantsOf(string grantee) => GrantsByGrantee.GetValueOrDefault(grantee) ?? [];
}
