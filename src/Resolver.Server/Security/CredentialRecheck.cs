using System.Globalization;
using System.Security.Claims;
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
    /// <summary>Throws UNAUTHENTICATED when the credential <paramref name="user"/> authenticated with no longer holds.</summary>
    public async ValueTask EnsureStillValidAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.Identity is not { IsAuthenticated: true } identity || identity.AuthenticationType == CallerClaims.AdminTokenMethod)
        {
            return; // anonymous callers have nothing to revoke; the admin token changes only with a restart
        }

        if (user.FindFirst(CallerClaims.Expires) is { } expires &&
            time.GetUtcNow() > DateTimeOffset.FromUnixTimeSeconds(long.Parse(expires.Value, CultureInfo.InvariantCulture)) + JwtValidator.ClockSkew)
        {
            throw Refused("the bearer token expired while this call was open; reconnect with a fresh token");
        }

        var snapshot = await access.GetAsync(cancellationToken).ConfigureAwait(false);
        if (user.FindFirst(CallerClaims.KeyId) is { } keyId && !snapshot.Keys.ContainsKey(keyId.Value))
        {
            throw Refused("the API key was revoked while this call was open");
        }

        if (user.FindFirst(CallerClaims.Enterprise) is { } enterprise && !snapshot.Enterprises.ContainsKey(enterprise.Value))
        {
            throw Refused($"enterprise {enterprise.Value} no longer exists");
        }
    }

    private static ResolverException Refused(string message) => new(new Problem(ErrorKind.Unauthenticated, "invalid-credentials", message));
}
