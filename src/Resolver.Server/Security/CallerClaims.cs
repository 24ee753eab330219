using System.Security.Claims;
using Resolver.Core.Errors;
using Resolver.Core.Security;

namespace Resolver.Server.Security;

/// <summary>The one mapping between an authenticated principal and a <see cref="Caller"/>, for every transport.</summary>
internal static class CallerClaims
{
    /// <summary>Claim naming the enterprise an API key or JWT belongs to.</summary>
    public const string Enterprise = "resolver:enterprise";

    /// <summary>Claim marking the node's administrator.</summary>
    public const string Admin = "resolver:admin";

    /// <summary>Claim holding the id of the API key the caller presented.</summary>
    public const string KeyId = "resolver:key-id";

    /// <summary>Claim holding when the caller's JWT expires (Unix seconds).</summary>
    public const string Expires = "resolver:expires";

    /// <summary>The authentication types (how the caller proved who it is).</summary>
    public const string AdminTokenMethod = "admin-token", ApiKeyMethod = "api-key", JwtMethod = "jwt";

    /// <summary>The identity of an enterprise that presented <paramref name="key"/>.</summary>
    public static ClaimsIdentity ForApiKey(ApiKey key)
    {
        var identity = ToIdentity(Caller.ForEnterprise(key.Enterprise), ApiKeyMethod);
        identity.AddClaim(new Claim(KeyId, key.Id));
        return identity;
    }

    /// <summary>The identity a JWT names, valid until <paramref name="expires"/>.</summary>
    public static ClaimsIdentity ForJwt(Caller caller, DateTimeOffset expires)
    {
        var identity = ToIdentity(caller, JwtMethod);
        identity.AddClaim(new Claim(Expires, expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return identity;
    }

    /// <summary>The identity <paramref name="caller"/> authenticated as, by <paramref name="method"/> (admin-token, api-key, jwt).</summary>
    public static ClaimsIdentity ToIdentity(Caller caller, string method) => caller.Kind switch
    {
        CallerKind.Admin => new ClaimsIdentity([new Claim(Admin, "true")], method),
        CallerKind.Enterprise => new ClaimsIdentity([new Claim(Enterprise, caller.Enterprise!)], method),
        _ => throw new ArgumentException("an anonymous caller has no identity", nameof(caller)),
    };

    /// <summary>
    /// Who is calling: anonymous without credentials, else the authenticated caller. Throws UNAUTHENTICATED when the
    /// request carried a credential that failed authentication, UNAVAILABLE when it could not be checked.
    /// </summary>
    public static Caller GetCaller(this HttpContext context)
    {
        if (context.Features.Get<UnusableCredentialFeature>() is { } unusable)
        {
            throw new ResolverException(unusable.Problem);
        }

        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return Caller.Anonymous;
        }

        return user.HasClaim(c => c.Type == Admin) ? Caller.Admin
            : user.FindFirst(Enterprise) is { } enterprise ? Caller.ForEnterprise(enterprise.Value)
            : Caller.Anonymous;
    }

    /// <summary>The rate-limit and audit key of a request: the authenticated caller, or the client address (anonymous or refused).</summary>
    public static string PartitionKey(this HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.Features.Get<UnusableCredentialFeature>() is null
            ? GetCaller(context).ToString()
            : "address:" + context.Connection.RemoteIpAddress;
}
