using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Security;
using Resolver.Core.Storage;

namespace Resolver.Core.Prefixes;

/// <summary>Changes which prefixes this node serves, and keeps the <see cref="PrefixDirectory"/> current.</summary>
public sealed class PrefixAdministration(IPrefixStore store, PrefixDirectory directory, IChangeNotifier changes, AuditTrail audit, TimeProvider time)
{
    /// <summary>Makes this node authoritative for <paramref name="prefix"/> (admin only); idempotent.</summary>
    public ValueTask<(PrefixEntry Entry, bool Created)> HomeAsync(Caller caller, string prefix, CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, "home-prefix", prefix, async () =>
        {
            AccessPolicy.RequireAdmin(caller, "homing a prefix");
            var result = await HomeAsync(prefix, cancellationToken).ConfigureAwait(false);
            await audit.LogAsync(caller, "home-prefix", result.Entry.Prefix, result.Created ? "OK" : "OK (already homed)", cancellationToken).ConfigureAwait(false);
            return result;
        }, cancellationToken);

    private async ValueTask<(PrefixEntry Entry, bool Created)> HomeAsync(string prefix, CancellationToken cancellationToken)
    {
        if (!IdentifierParser.TryParsePrefix(prefix, out var canonical, out var error))
        {
            throw new ResolverException(error.ToProblem("prefix", prefix));
        }

        var result = await store.AddAsync(new PrefixEntry(canonical, PrefixKind.Homed, [], time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        if (result.Entry.Kind != PrefixKind.Homed)
        {
            throw new ResolverException(new Problem(ErrorKind.FailedPrecondition, "prefix-delegated", $"prefix {canonical} is delegated to {string.Join(", ", result.Entry.Endpoints)}; remove the delegation before homing it here", Prefix: canonical));
        }

        directory.Invalidate();
        if (result.Created)
        {
            await changes.PrefixesChangedAsync(cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Every prefix this node knows, in canonical order.</summary>
    public async ValueTask<IReadOnlyList<PrefixEntry>> ListAsync(Caller caller, CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAuthenticated(caller, "listing prefixes");
        return await store.ListAsync(cancellationToken).ConfigureAwait(false);
    }
}
