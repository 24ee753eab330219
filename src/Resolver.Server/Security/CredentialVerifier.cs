using System.Text;
using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Security;

namespace Resolver.Server.Security;

/// <summary>
/// Verifies the credential of a call, whatever its wire: <c>Bearer</c> and the admin token, an enterprise's API key
/// <c>rk_ID_SECRET</c>, or a JWT signed with the configured key (docs/security.md); or Handle.Net's <c>Basic</c> with an
/// admin handle as the user and one of those as the password (<see cref="AdminHandles"/>, docs/rest.md). No credential
/// is anonymous; anything else that is not a valid credential is refused, and a refused credential is never treated as
/// anonymous.
/// </summary>
internal sealed class CredentialVerifier(AdminCredential admin, AccessDirectory access, JwtValidator jwt, PrefixDirectory prefixes)
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

        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return await VerifyBasicAsync(authorization["Basic ".Length..].Trim(), cancellationToken).ConfigureAwait(false);
        }

        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            throw Refused("the authorization metadata must be 'Bearer <API key>' (or, on the Handle REST API, Handle.Net's 'Basic' with an admin handle)");
        }

        return await VerifyTokenAsync(authorization["Bearer ".Length..].Trim(), cancellationToken).ConfigureAwait(false);
    }

    // A bearer token: the admin token, an API key or a JWT.
    private async ValueTask<Credential> VerifyTokenAsync(string token, CancellationToken cancellationToken)
    {
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

    /// <summary>
    /// Handle.Net's Basic credentials (RFC 7617): the user is <c>INDEX:ADMIN-HANDLE</c>, percent-encoded as Handle
    /// clients send it (<c>300%3A88.168.1%2FADMIN</c> or <c>300%3A88.168.1/ADMIN</c>; unencoded <c>300:88.168.1/ADMIN</c> is
    /// read too), the password a bearer credential. The index must be 300 and the handle an admin handle of a prefix the
    /// credential's enterprise owns (any prefix for the admin token): the same caller as with Bearer, or refused.
    /// </summary>
    private async ValueTask<Credential> VerifyBasicAsync(string encoded, CancellationToken cancellationToken)
    {
        const string Shape = "Basic credentials are user '300:PREFIX/ADMIN' (percent-encoded: 300%3APREFIX/ADMIN) and an API key of the enterprise owning PREFIX as the password (docs/rest.md)";
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(encoded));
        }
        catch (Exception exception) when (exception is FormatException or DecoderFallbackException)
        {
            throw Refused($"the Basic credentials are not base64 of UTF-8 text; {Shape}");
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw Refused($"the Basic credentials have no ':' between user and password; {Shape}");
        }

        var (user, secret) = (Uri.UnescapeDataString(text[..colon]), text[(colon + 1)..]);
        if (!user.Contains(':', StringComparison.Ordinal) && user.All(char.IsAsciiDigit) && secret.IndexOf(':', StringComparison.Ordinal) is var end and > 0)
        {
            // The user written without percent-encoding (curl -u "300:88.168.1/ADMIN:KEY"): the handle runs to the next ':'.
            (user, secret) = ($"{user}:{Uri.UnescapeDataString(secret[..end])}", secret[(end + 1)..]);
        }

        if (!AdminHandles.TryParseUser(user, out var index, out var handle) || !AdminHandles.TryGetPrefix(handle, out var prefix))
        {
            throw Refused($"the Basic user {user} is not an admin handle with an index; {Shape}");
        }

        if (index != AdminHandles.SecretKeyIndex)
        {
            throw Refused($"the key of admin handle {handle} is at index {AdminHandles.SecretKeyIndex}, not {index}; {Shape}");
        }

        Credential credential;
        try
        {
            credential = await VerifyTokenAsync(secret, cancellationToken).ConfigureAwait(false);
        }
        catch (ResolverException exception) when (exception.Problem.Reason == InvalidCredentials)
        {
            throw Refused($"the password given for {index}:{handle} is not a live API key of the enterprise owning {prefix} (nor the admin token): unknown, revoked or mistyped");
        }

        if (credential.Caller.Enterprise is { } enterprise)
        {
            PrefixTable table;
            try
            {
                table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
            {
                throw new ResolverException(new Problem(ErrorKind.Unavailable, Reasons.StoreUnavailable,
                    "Basic credentials cannot be checked while the store is unavailable; retry later, or call without credentials for public values"));
            }

            if (table.FindOwner(prefix) != enterprise)
            {
                throw Refused($"the password is not a key of admin handle {index}:{handle}: enterprise {enterprise} does not own prefix {prefix}");
            }
        }

        return credential;
    }

    private static ResolverException Refused(string message) => new(new Problem(ErrorKind.Unauthenticated, InvalidCredentials, message));
}
