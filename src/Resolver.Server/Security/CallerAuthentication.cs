using Grpc.Core;
using Resolver.Core.Errors;
using Resolver.Core.Security;

namespace Resolver.Server.Security;

/// <summary>
/// Who is calling, from the <c>authorization: Bearer …</c> metadata: nobody (no header), the administrator
/// (the admin token), or an enterprise (one of its live API keys, or a JWT signed with the configured key).
/// Anything else is UNAUTHENTICATED —
/// a wrong credential is never silently treated as anonymous.
/// </summary>
internal sealed class CallerAuthentication(AdminCredential admin, AccessDirectory access, JwtValidator jwt, AuditTrail audit)
{
    public async ValueTask<Caller> IdentifyAsync(ServerCallContext context)
    {
        try
        {
            return await IdentifyCoreAsync(context).ConfigureAwait(false);
        }
        catch (ResolverException refused) when (!context.Method.StartsWith("/resolver.v1.Resolution/", StringComparison.Ordinal))
        {
            // A write or admin attempt with a bad credential is exactly what an audit log is for.
            await audit.LogAsync(Caller.Anonymous, context.Method.TrimStart('/'), "(invalid credential)", AuditTrail.StatusName(refused.Problem.Kind), context.CancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    private async ValueTask<Caller> IdentifyCoreAsync(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        if (header is null)
        {
            return Caller.Anonymous;
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            throw Unauthenticated("the authorization metadata must be 'Bearer <API key>'");
        }

        var token = header["Bearer ".Length..].Trim();
        if (token.Length == 0)
        {
            throw Unauthenticated("the authorization metadata carries an empty credential");
        }

        if (ApiKeys.TokensEqual(token, admin.Token))
        {
            return Caller.Admin;
        }

        var snapshot = await access.GetAsync(context.CancellationToken).ConfigureAwait(false);
        if (ApiKeys.TryParse(token, out var id, out var secret))
        {
            return snapshot.Keys.TryGetValue(id, out var key) && ApiKeys.Verify(key, secret)
                ? Caller.ForEnterprise(key.Enterprise)
                : throw Unauthenticated("the API key is not valid: unknown, revoked or mistyped");
        }

        if (jwt.Enabled)
        {
            return await jwt.ValidateAsync(token, snapshot).ConfigureAwait(false)
                ?? throw Unauthenticated("the bearer token is neither a valid API key nor a valid JWT (signature, expiry, issuer, audience, and a 'sub' naming a known enterprise)");
        }

        throw Unauthenticated("the API key is not valid: unknown, revoked or mistyped");
    }

    private static ResolverException Unauthenticated(string message) =>
        new(new Problem(ErrorKind.Unauthenticated, "invalid-credentials", message));
}
