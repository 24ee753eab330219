using Resolver.Core.Security;

namespace Resolver.Server.Security;

/// <summary>What a verified credential proved, and what a call that stays open re-checks (<see cref="CredentialRecheck"/>).</summary>
/// <param name="Caller">Who is calling.</param>
/// <param name="Method">How it proved it: <c>anonymous</c>, <c>admin-token</c>, <c>api-key</c> or <c>jwt</c>.</param>
/// <param name="KeyId">The API key's public id, for an API key.</param>
/// <param name="Expires">When a JWT expires.</param>
public sealed record Credential(Caller Caller, string Method, string? KeyId = null, DateTimeOffset? Expires = null)
{
    /// <summary>How a caller proves who it is (<see cref="Method"/>).</summary>
    public const string AdminTokenMethod = "admin-token", ApiKeyMethod = "api-key", JwtMethod = "jwt";

    /// <summary>No credential.</summary>
    public static Credential Anonymous { get; } = new(Caller.Anonymous, "anonymous");

    /// <summary>True when a credential was presented and held.</summary>
    public bool IsAuthenticated => Caller.Kind != CallerKind.Anonymous;
}
