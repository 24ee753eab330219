using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Core.Security;

namespace Resolver.Server.Security;

/// <summary>
/// ASP.NET Core authentication for every transport (gRPC now, HTTP later): reads <c>Authorization: Bearer …</c>
/// once per request and turns it into the principal <see cref="CallerClaims"/> maps to a <see cref="Caller"/> —
/// the admin token, an enterprise's API key <c>rk_ID_SECRET</c>, or a JWT signed with the configured key.
/// No header is no result (anonymous); anything else that is not a valid credential fails, and a failed
/// credential is never treated as anonymous (docs/security.md).
/// </summary>
internal sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    AdminCredential admin,
    AccessDirectory access,
    JwtValidator jwt,
    RefusedCredentialAudit refusals) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ResolverBearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        AuthenticateResult result;
        try
        {
            result = await AuthenticateBearerAsync().ConfigureAwait(false);
        }
        catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
        {
            // Keys live in the store: a replica that never loaded them cannot tell a good key from a bad one.
            Context.Features.Set(new UnusableCredentialFeature(new Problem(ErrorKind.Unavailable, Reasons.StoreUnavailable,
                "credentials cannot be checked while the store is unavailable; retry later, or call without credentials for public values")));
            return AuthenticateResult.NoResult();
        }

        if (result.Failure is { } failure)
        {
            Context.Features.Set(new UnusableCredentialFeature(new Problem(ErrorKind.Unauthenticated, "invalid-credentials", failure.Message)));

            // Counted, not written per attempt: bogus tokens must not be a way to flood the store.
            refusals.Note(Operation(), Context.Connection.RemoteIpAddress?.ToString() ?? "(unknown address)");
        }

        return result;
    }

    private async Task<AuthenticateResult> AuthenticateBearerAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("the authorization metadata must be 'Bearer <API key>'");
        }

        var token = header["Bearer ".Length..].Trim();
        if (token.Length == 0)
        {
            return AuthenticateResult.Fail("the authorization metadata carries an empty credential");
        }

        if (ApiKeys.TokensEqual(token, admin.Token))
        {
            return Success(CallerClaims.ToIdentity(Caller.Admin, CallerClaims.AdminTokenMethod));
        }

        var snapshot = await access.GetAsync(Context.RequestAborted).ConfigureAwait(false);
        if (ApiKeys.TryParse(token, out var id, out var secret))
        {
            return snapshot.Keys.TryGetValue(id, out var key) && ApiKeys.Verify(key, secret)
                ? Success(CallerClaims.ForApiKey(key))
                : AuthenticateResult.Fail("the API key is not valid: unknown, revoked or mistyped");
        }

        if (jwt.Enabled)
        {
            return await jwt.ValidateAsync(token, snapshot).ConfigureAwait(false) is { } valid
                ? Success(CallerClaims.ForJwt(valid.Caller, valid.Expires))
                : AuthenticateResult.Fail("the bearer token is neither a valid API key nor a valid JWT (signature, expiry, issuer, audience, and a 'sub' naming a known enterprise)");
        }

        return AuthenticateResult.Fail("the API key is not valid: unknown, revoked or mistyped");
    }

    // The gRPC method as routing matched it (whatever the case of the path); one label for everything else, so that
    // made-up paths neither reach the audit log nor multiply its rows.
    private string Operation() =>
        Api.GrpcMethods.Routed(Context) is { } method
            ? method.FullName.TrimStart('/')
            : "(unrouted)";

    private static AuthenticateResult Success(ClaimsIdentity identity) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
}
