using Resolver.Core.Errors;
using Resolver.Core.Security;

namespace Resolver.Server.Security;

/// <summary>
/// Checks again, on a call that stays open (streams, and later Watch and bulk import), that the credential it was
/// opened with still holds: the API key is not revoked, the JWT has not expired, the enterprise still exists
/// (SPEC §8). The access snapshot it reads is at most 5 s old (at once on the replica that took the revocation),
/// which is the bound docs/security.md states.
/// </summary>
internal sealed class CredentialRecheck(AccessDirectory access, TimeProvider time)
{
    /// <summary>Throws UNAUTHENTICATED when <paramref name="credential"/>, which the call was admitted with, no longer holds.</summary>
    public async ValueTask EnsureStillValidAsync(Credential credential, CancellationToken cancellationToken)
    {
        if (!credential.IsAuthenticated || credential.Method == Credential.AdminTokenMethod)
        {
            return; // anonymous callers have nothing to revoke; the admin token changes only with a restart
        }

        if (credential.Expires is { } expires && time.GetUtcNow() > expires + JwtValidator.ClockSkew)
        {
            throw Refused("the bearer token expired while this call was open; reconnect with a fresh token");
        }

        var snapshot = await access.GetAsync(cancellationToken).ConfigureAwait(false);
        if (credential.KeyId is { } keyId && !snapshot.Keys.ContainsKey(keyId))
        {
            throw Refused("the API key was revoked while this call was open");
        }

        if (credential.Caller.Enterprise is { } enterprise && !snapshot.Enterprises.ContainsKey(enterprise))
        {
            throw Refused($"enterprise {enterprise} no longer exists");
        }
    }

    private static ResolverException Refused(string message) => new(new Problem(ErrorKind.Unauthenticated, "invalid-credentials", message));
}
