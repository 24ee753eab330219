namespace Resolver.Core.Security;

/// <summary>
/// One committed change to access data, named by what to read again: a key, an enterprise, or the grants one enterprise
/// holds. Replicas apply it by re-reading those rows (<see cref="AccessDirectory.ApplyAsync"/>), never the whole tables.
/// </summary>
/// <param name="Kind">What changed.</param>
/// <param name="Subject">The key id, the enterprise name, or the grantee's name.</param>
public sealed record AccessChange(AccessChangeKind Kind, string Subject)
{
    /// <summary>The key <paramref name="id"/> was issued or revoked.</summary>
    public static AccessChange Key(string id) => new(AccessChangeKind.Key, id);

    /// <summary>The enterprise <paramref name="name"/> was created.</summary>
    public static AccessChange Enterprise(string name) => new(AccessChangeKind.Enterprise, name);

    /// <summary>A grant to <paramref name="grantee"/> was given, changed or withdrawn.</summary>
    public static AccessChange GrantsTo(string grantee) => new(AccessChangeKind.GrantsTo, grantee);
}

/// <summary>What an <see cref="AccessChange"/> names.</summary>
public enum AccessChangeKind
{
    /// <summary>An API key, by id.</summary>
    Key,

    /// <summary>An enterprise, by name.</summary>
    Enterprise,

    /// <summary>The grants an enterprise holds, by the grantee's name.</summary>
    GrantsTo,
}
