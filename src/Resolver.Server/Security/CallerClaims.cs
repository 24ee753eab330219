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
