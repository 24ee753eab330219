using System.Text.RegularExpressions;
using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Storage;

namespace Resolver.Core.Security;

/// <summary>Enterprises, their API keys, read grants between them, and reading the audit log; every change audited.</summary>
public sealed partial class AccessAdministration(
    IAccessStore store,
    AccessDirectory directory,
    PrefixDirectory prefixes,
    IChangeNotifier changes,
    AuditTrail audit,
    ResolverLimits limits,
    TimeProvider time)
{
    /// <summary>Creates an enterprise (admin only), gives it <paramref name="prefix"/> (homing it when needed) and issues its first API key.</summary>
    public ValueTask<(Enterprise Enterprise, string ApiKey, string KeyId)> CreateEnterpriseAsync(Caller caller, string name, string? prefix, CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, "create-enterprise", name, async () =>
        {
            AccessPolicy.RequireAdmin(caller, "creating an enterprise");
            var canonical = CanonicalName(name);
            string? canonicalPrefix = null;
            if (prefix is not null)
            {
                if (!IdentifierParser.TryParsePrefix(prefix, out canonicalPrefix, out var error))
                {
                    throw new ResolverException(error.ToProblem("prefix", prefix));
                }
            }

            var enterprise = new Enterprise(canonical, time.GetUtcNow());
            var (key, plain) = ApiKeys.Create(canonical, enterprise.CreatedAt);

            // The checks (name free, no owned prefix above, at or under this one) and every write happen in one store
            // transaction: checked against a cached prefix table, two concurrent creations for nested prefixes both
            // succeeded, and a refusal or failure part-way left an enterprise without prefix or key.
            var created = await store.CreateEnterpriseAsync(
                enterprise,
                canonicalPrefix,
                key,
                audit.Entry(caller, "create-enterprise", prefix is null ? canonical : $"{canonical} {prefix}", "OK"),
                cancellationToken).ConfigureAwait(false);
            switch (created.Outcome)
            {
                case EnterpriseCreationOutcome.NameTaken:
                    throw new ResolverException(new Problem(ErrorKind.AlreadyExists, "enterprise-exists", $"enterprise {canonical} exists already"));
                case EnterpriseCreationOutcome.PrefixOwned when PrefixPath.IsSelfOrDescendant(canonicalPrefix!, created.ConflictingPrefix!):
                    throw new ResolverException(new Problem(ErrorKind.AlreadyExists, "prefix-owned", $"prefix {canonicalPrefix} already belongs to enterprise {created.ConflictingOwner} (an enterprise owns its sub-prefixes too)", Prefix: canonicalPrefix));
                case EnterpriseCreationOutcome.PrefixOwned:
                    throw new ResolverException(new Problem(ErrorKind.AlreadyExists, "prefix-owned", $"prefix {canonicalPrefix} contains {created.ConflictingPrefix}, which belongs to enterprise {created.ConflictingOwner}; prefixes of different owners may not nest", Prefix: canonicalPrefix));
                case EnterpriseCreationOutcome.PrefixDelegated:
                    var site = (await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false)).FindAuthority(canonicalPrefix!)?.Endpoints ?? [];
                    throw new ResolverException(new Problem(ErrorKind.FailedPrecondition, "prefix-delegated", $"prefix {canonicalPrefix} is delegated to {string.Join(", ", site)}; remove the delegation before homing it here", Prefix: canonicalPrefix));
            }

            if (canonicalPrefix is not null)
            {
                prefixes.Invalidate();
                await changes.PrefixesChangedAsync(cancellationToken).ConfigureAwait(false);
            }

            await AccessChangedAsync(AccessChange.Enterprise(canonical), AccessChange.Key(key.Id)).ConfigureAwait(false);
            return (enterprise, plain, key.Id);
        }, cancellationToken);

    /// <summary>Every enterprise with the prefixes it owns (admin only).</summary>
    public async ValueTask<IReadOnlyList<(Enterprise Enterprise, IReadOnlyList<string> Prefixes)>> ListEnterprisesAsync(Caller caller, CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAdmin(caller, "listing enterprises");
        var table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
        return [.. (await store.ListEnterprisesAsync(cancellationToken).ConfigureAwait(false))
            .Select(e => (e, (IReadOnlyList<string>)[.. table.Entries.Where(p => p.Owner == e.Name).Select(p => p.Prefix)]))];
    }

    /// <summary>Issues another API key for <paramref name="enterprise"/> (that enterprise or the admin); the plain key is shown once.</summary>
    public ValueTask<(string ApiKey, string KeyId)> CreateKeyAsync(Caller caller, string enterprise, CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, "create-key", enterprise, async () =>
        {
            var canonical = CanonicalName(enterprise);
            AccessPolicy.RequireSelfOrAdmin(caller, canonical, "issuing an API key");
            await RequireEnterpriseAsync(canonical, cancellationToken).ConfigureAwait(false);
            var (stored, plain) = ApiKeys.Create(canonical, time.GetUtcNow());

            // Counted and added in one store transaction, so concurrent creations stop at the cap exactly. Revoked keys
            // do not count: revoking is the way back under it, and they are not kept in memory.
            if (!await store.AddKeyAsync(stored, limits.MaxKeysPerEnterprise, audit.Entry(caller, "create-key", $"{canonical} {stored.Id}", "OK"), cancellationToken).ConfigureAwait(false))
            {
                throw new ResolverException(new Problem(ErrorKind.FailedPrecondition, "too-many-keys",
                    $"enterprise {canonical} has {limits.MaxKeysPerEnterprise} live API keys, the most this node allows (--max-keys-per-enterprise); " +
                    "revoke keys no longer in use with `resolver key revoke KEY-ID` (`resolver key list` shows their ids and dates), then create one again"));
            }

            await AccessChangedAsync(AccessChange.Key(stored.Id)).ConfigureAwait(false);
            return (plain, stored.Id);
        }, cancellationToken);

    /// <summary>Revokes a key by id (its enterprise or the admin); effective on every replica within the access refresh bound.</summary>
    public ValueTask<bool> RevokeKeyAsync(Caller caller, string keyId, CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, "revoke-key", keyId, async () =>
        {
            AccessPolicy.RequireAuthenticated(caller, "revoking an API key");
            // Another enterprise's key answers like an unknown one: key ids must not reveal their owners.
            if (await store.GetKeyAsync(keyId, cancellationToken).ConfigureAwait(false) is not { RevokedAt: null } key ||
                !(caller.IsAdmin || key.Enterprise == caller.Enterprise))
            {
                throw new ResolverException(new Problem(ErrorKind.NotFound, "key-not-found", $"you have no live API key with id {keyId}"));
            }

            await store.RevokeKeyAsync(keyId, time.GetUtcNow(), audit.Entry(caller, "revoke-key", keyId, "OK"), cancellationToken).ConfigureAwait(false);
            await AccessChangedAsync(AccessChange.Key(keyId)).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>The most keys one page lists, whatever the message limit allows.</summary>
    public const int MaxKeysPerPage = 10_000;

    // A listed key takes at most about 110 bytes (a 12-character id, a 64-character enterprise name, two times): a page
    // stays within what a client honouring the advertised message limit reads (SPEC §8).
    private const int ListedKeyBytes = 128;

    /// <summary>How many keys one page lists: as many as fit an answer, at most <see cref="MaxKeysPerPage"/>.</summary>
    public int KeysPerPage => (int)Math.Clamp(limits.MaxRecordBytes / ListedKeyBytes, 1, MaxKeysPerPage);

    /// <summary>
    /// One page of the API keys of <paramref name="enterprise"/> (that enterprise or the admin), newest first: ids and
    /// dates, never the keys. Revoked ones only when <paramref name="includeRevoked"/>; after
    /// <paramref name="beforeKeyId"/> (the last key of the previous page) when given; at most <see cref="KeysPerPage"/>.
    /// </summary>
    /// <exception cref="ResolverException">UNAUTHENTICATED, PERMISSION_DENIED (another enterprise's keys), NOT_FOUND
    /// <c>enterprise-not-found</c>, or NOT_FOUND <c>key-not-found</c> when <paramref name="beforeKeyId"/> is not one of its keys.</exception>
    public async ValueTask<KeyListing> ListKeysAsync(Caller caller, string enterprise, bool includeRevoked, string? beforeKeyId, CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAuthenticated(caller, "listing API keys");
        var canonical = CanonicalName(enterprise);
        AccessPolicy.RequireSelfOrAdmin(caller, canonical, "listing API keys");
        await RequireEnterpriseAsync(canonical, cancellationToken).ConfigureAwait(false);
        ApiKey? before = null;
        if (!string.IsNullOrEmpty(beforeKeyId) && (before = await store.GetKeyAsync(beforeKeyId, cancellationToken).ConfigureAwait(false))?.Enterprise != canonical)
        {
            throw new ResolverException(new Problem(ErrorKind.NotFound, "key-not-found", $"enterprise {canonical} has no API key with id {beforeKeyId} to list the keys before"));
        }

        var page = KeysPerPage;
        var keys = await store.ListKeysAsync(canonical, includeRevoked, before, page + 1, cancellationToken).ConfigureAwait(false);
        return new KeyListing([.. keys.Take(page)], keys.Count > page);
    }

    /// <summary>Lets <paramref name="grantee"/> read the non-public values under <paramref name="prefix"/>, which the caller (or, for the admin, anyone) owns.</summary>
    public ValueTask<ReadGrant> GrantAsync(Caller caller, string grantee, string prefix, IReadOnlyList<string> types, CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, "grant", $"{grantee} {prefix}", async () =>
        {
            var (owner, canonicalPrefix) = await OwnedPrefixAsync(caller, prefix, "granting read access", cancellationToken).ConfigureAwait(false);
            var canonicalGrantee = CanonicalName(grantee);
            if (canonicalGrantee == owner)
            {
                throw new ResolverException(new Problem(ErrorKind.InvalidArgument, "self-grant", $"{owner} owns {canonicalPrefix} and reads it already; grant to another enterprise"));
            }

            await RequireEnterpriseAsync(canonicalGrantee, cancellationToken).ConfigureAwait(false);
            if (types.Any(t => t.Length == 0 || t.Length > 129 || t.Any(char.IsControl)))
            {
                throw new ResolverException(new Problem(ErrorKind.InvalidArgument, "invalid-filter", "a grant's types must be value types such as URL, or URL. for subtypes"));
            }

            var grant = new ReadGrant(owner, canonicalGrantee, canonicalPrefix, types, time.GetUtcNow());
            await store.PutGrantAsync(grant, audit.Entry(caller, "grant", $"{owner}→{canonicalGrantee} {canonicalPrefix} [{string.Join(',', types)}]", "OK"), cancellationToken).ConfigureAwait(false);
            await AccessChangedAsync(AccessChange.GrantsTo(canonicalGrantee)).ConfigureAwait(false);
            return grant;
        }, cancellationToken);

    /// <summary>Withdraws a grant; NOT_FOUND when there was none.</summary>
    public ValueTask<bool> RevokeGrantAsync(Caller caller, string grantee, string prefix, CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, "revoke-grant", $"{grantee} {prefix}", async () =>
        {
            var (owner, canonicalPrefix) = await OwnedPrefixAsync(caller, prefix, "revoking read access", cancellationToken).ConfigureAwait(false);
            var canonicalGrantee = CanonicalName(grantee);
            if (!await store.RemoveGrantAsync(owner, canonicalGrantee, canonicalPrefix, audit.Entry(caller, "revoke-grant", $"{owner}→{canonicalGrantee} {canonicalPrefix}", "OK"), cancellationToken).ConfigureAwait(false))
            {
                throw new ResolverException(new Problem(ErrorKind.NotFound, "grant-not-found", $"{owner} has granted {canonicalGrantee} nothing under {canonicalPrefix}"));
            }

            await AccessChangedAsync(AccessChange.GrantsTo(canonicalGrantee)).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>The grants the caller gave or received (the admin sees all).</summary>
    public async ValueTask<IReadOnlyList<ReadGrant>> ListGrantsAsync(Caller caller, CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAuthenticated(caller, "listing grants");
        var grants = await store.ListGrantsAsync(cancellationToken).ConfigureAwait(false);
        return caller.IsAdmin ? grants : [.. grants.Where(g => g.Owner == caller.Enterprise || g.Grantee == caller.Enterprise)];
    }

    /// <summary>The audit log, newest first (admin only).</summary>
    public async ValueTask<IReadOnlyList<AuditEntry>> ListAuditAsync(Caller caller, long? beforeSequence, int limit, CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAdmin(caller, "reading the audit log");
        return await store.ListAuditAsync(beforeSequence, Math.Clamp(limit, 1, 10_000), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Enterprise names are case-insensitive: letters, digits, '-', '_' and '.', 1–64 characters.</summary>
    public static string CanonicalName(string name)
    {
        if (!NameSyntax().IsMatch(name ?? ""))
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, "invalid-enterprise-name", $"enterprise name \"{name}\" is not 1–64 letters, digits, '-', '_' or '.'"));
        }

        var canonical = name!.ToLowerInvariant();
        return canonical is "admin" or "anonymous" or "system"
            ? throw new ResolverException(new Problem(ErrorKind.InvalidArgument, "invalid-enterprise-name", $"enterprise name \"{name}\" is reserved (it would read like a built-in caller in the audit log)"))
            : canonical;
    }

    private async ValueTask<(string Owner, string Prefix)> OwnedPrefixAsync(Caller caller, string prefix, string what, CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAuthenticated(caller, what);
        if (!IdentifierParser.TryParsePrefix(prefix, out var canonical, out var error))
        {
            throw new ResolverException(error.ToProblem("prefix", prefix));
        }

        var table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
        var owner = table.FindOwner(canonical);
        if (owner is null)
        {
            throw caller.IsAdmin
                ? new ResolverException(new Problem(ErrorKind.FailedPrecondition, "prefix-not-owned", $"no enterprise owns prefix {canonical}, so there is nothing to grant", Prefix: canonical))
                : new ResolverException(new Problem(ErrorKind.PermissionDenied, "permission-denied", $"{what} under {canonical} is for its owner only, and you do not own it", Prefix: canonical));
        }

        if (!caller.IsAdmin && caller.Enterprise != owner)
        {
            throw new ResolverException(new Problem(ErrorKind.PermissionDenied, "permission-denied", $"{what} under {canonical} is for its owner ({owner}) or the administrator only", Prefix: canonical));
        }

        return (owner, canonical);
    }

    private async ValueTask RequireEnterpriseAsync(string name, CancellationToken cancellationToken)
    {
        if (await store.GetEnterpriseAsync(name, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new ResolverException(new Problem(ErrorKind.NotFound, "enterprise-not-found", $"there is no enterprise named {name}"));
        }
    }

    // The change is committed with its audit row; this replica applies it at once (re-reading only the rows it names),
    // the others when announced. Not cancellable: a caller that goes away after the commit must not leave it unapplied.
    private async ValueTask AccessChangedAsync(params AccessChange[] committed)
    {
        foreach (var change in committed)
        {
            await directory.ApplyAsync(change, CancellationToken.None).ConfigureAwait(false);
        }

        await changes.AccessChangedAsync(committed, CancellationToken.None).ConfigureAwait(false);
    }

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex NameSyntax();
}
