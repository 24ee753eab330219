using Resolver.Core.Errors;
using Resolver.Core.Security;

namespace Resolver.Server.Security;

/// <summary>
/// Verifies the credential of a call, whatever its wire: <c>Bearer</c> and the admin token, an enterprise's API key
/// <c>rk_ID_SECRET</c>, or a JWT signed with the configured key (docs/security.md). No credential is anonymous; anything
/// else that is not a valid credential is refused, and a refused credential is never treated as anonymous.
/// </summary>
internal sealed class CredentialVerifier(AdminCredential admin, AccessDirectory access, JwtValidator jwt)
{
    /// <summary>The reason id of a refused credential.</summary>
    public const string InvalidCredentials = "invalid-credentials";

    /// <summary>What <paramref name="authorization"/> (the header's value, or null) proves.</summary>
    /// <exception cref="ResolverException">UNAUTHENTICATED (<c>invalid-credentials</c>) for a credential that does not hold;
    /// UNAVAILABLE when keys cannot be read (the store is down and this replica never loaded them).</exception>
    public async ValueTask<Credential> VerifyAsync(string? authorization, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return Credential.Anonymous;
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            throw Refused("the authorization metadata must be 'Bearer <API key>'");
        }

        var token = authorization["Bearer ".Length..].Trim();
        if (token.Length == 0)
        {
            throw Refused("the authorization metadata carries an empty credential");
        }

        if (ApiKeys.TokensEqual(token, admin.Token))
        {
            return new Credential(Caller.Admin, Credential.AdminTokenMethod);
        }

        AccessSnapshot snapshot;
        try
        {
            snapshot = await access.GetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
        {
            // Keys live in the store: a replica that never loaded them cannot tell a good key from a bad one.
            throw new ResolverException(new Problem(ErrorKind.Unavailable, Reasons.StoreUnavailable,
                "credentials cannot be checked while the store is unavailable; retry later, or call without credentials for public values"));
        }

        if (ApiKeys.TryParse(token, out var id, out var secret))
        {
            return snapshot.Keys.TryGetValue(id, out var key) && ApiKeys.Verify(key, secret)
                ? new Credential(Caller.ForEnterprise(key.Enterprise), Credential.ApiKeyMethod, KeyId: key.Id)
                : throw Refused("the API key is not valid: unknown, revoked or mistyped");
        }

        if (jwt.Enabled)
        {
            return await jwt.ValidateAsync(token, snapshot).ConfigureAwait(false) is { } valid
                ? new Credential(valid.Caller, Credential.JwtMethod, Expires: valid.Expires)
                : throw Refused("the bearer token is neither a valid API key nor a valid JWT (signature, expiry, issuer, audience, and a 'sub' naming a known enterprise)");
        }

        throw Refused("the API key is not valid: unknown, revoked or mistyped");
    }

    private static ResolverException Refused(string message) => new(new Problem(ErrorKind.Unauthenticated, InvalidCredentials, message));
}
