using System.Security.Claims;
using Resolver.Core.Security;

namespace Resolver.Server.Security;

/// <summary>The principal an admitted HTTP call carries (<c>HttpContext.User</c>), built from its verified <see cref="Credential"/>.</summary>
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

    /// <summary>The identity <paramref name="caller"/> authenticated as, by <paramref name="method"/> (admin-token, api-key, jwt).</summary>
    public static ClaimsIdentity ToIdentity(Caller caller, string method) => caller.Kind switch
    {
        CallerKind.Admin => new ClaimsIdentity([new Claim(Admin, "true")], method),
        CallerKind.Enterprise => new ClaimsIdentity([new Claim(Enterprise, caller.Enterprise!)], method),
        _ => throw new ArgumentException("an anonymous caller has no identity", nameof(caller)),
    };

    /// <summary>The identity a verified <paramref name="credential"/> stands for, with what a long-lived call re-checks.</summary>
    public static ClaimsIdentity ToIdentity(Credential credential)
    {
        var identity = ToIdentity(credential.Caller, credential.Method);
        if (credential.KeyId is { } keyId)
        {
            identity.AddClaim(new Claim(KeyId, keyId));
        }

        if (credential.Expires is { } expires)
        {
            identity.AddClaim(new Claim(Expires, expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return identity;
    }
}
