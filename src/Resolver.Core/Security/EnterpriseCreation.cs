namespace Resolver.Core.Security;

/// <summary>What <see cref="IAccessStore.CreateEnterpriseAsync"/> did: created everything, or nothing and why.</summary>
/// <param name="Outcome">Created, or the reason nothing was.</param>
/// <param name="ConflictingPrefix">For <see cref="EnterpriseCreationOutcome.PrefixOwned"/>: the owned prefix equal to, above or under the requested one; for <see cref="EnterpriseCreationOutcome.PrefixDelegated"/>: the requested prefix.</param>
/// <param name="ConflictingOwner">For <see cref="EnterpriseCreationOutcome.PrefixOwned"/>: the enterprise that owns <paramref name="ConflictingPrefix"/>.</param>
public sealed record EnterpriseCreation(EnterpriseCreationOutcome Outcome, string? ConflictingPrefix = null, string? ConflictingOwner = null)
{
    /// <summary>The enterprise, its prefix, first key and audit entry were all committed.</summary>
    public static EnterpriseCreation Created { get; } = new(EnterpriseCreationOutcome.Created);

    /// <summary>An enterprise of that name exists.</summary>
    public static EnterpriseCreation NameTaken { get; } = new(EnterpriseCreationOutcome.NameTaken);
}

/// <summary>The outcomes of creating an enterprise.</summary>
public enum EnterpriseCreationOutcome
{
    /// <summary>Everything was committed.</summary>
    Created,

    /// <summary>An enterprise of that name exists; nothing was written.</summary>
    NameTaken,

    /// <summary>The prefix is, or is above or under, a prefix another enterprise owns (owned prefixes never nest); nothing was written.</summary>
    PrefixOwned,

    /// <summary>The prefix is delegated to another site, so it cannot be homed here; nothing was written.</summary>
    PrefixDelegated,
}
