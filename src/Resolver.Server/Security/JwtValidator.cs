using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Resolver.Core.Security;
using Resolver.Server.Configuration;

namespace Resolver.Server.Security;

/// <summary>
/// Validates JWT bearer tokens signed with the configured HMAC key (signature, expiry, issuer and audience
/// when set). "role": "admin" is the administrator; otherwise "sub" names an enterprise that must exist.
/// </summary>
internal sealed class JwtValidator
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters? _parameters;

    public JwtValidator(IOptions<SecurityOptions> options)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.JwtSigningKey))
        {
            return;
        }

        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(settings.JwtSigningKey)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = settings.JwtIssuer.Length > 0,
            ValidIssuer = settings.JwtIssuer,
            ValidateAudience = settings.JwtAudience.Length > 0,
            ValidAudience = settings.JwtAudience,
            ValidateLifetime = true,
            ClockSkew = ClockSkew,
        };
    }

    /// <summary>True when JWTs are accepted at all.</summary>
    public bool Enabled => _parameters is not null;

    /// <summary>How far past its expiry a token is still accepted (clocks differ).</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>The caller the token names and when the token expires, or null when it is not a valid token or names no known enterprise.</summary>
    public async ValueTask<(Caller Caller, DateTimeOffset Expires)?> ValidateAsync(string token, AccessSnapshot access)
    {
        if (_parameters is null || !_handler.CanReadToken(token))
        {
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return null;
        }

        var expires = new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero);
        if (result.Claims.TryGetValue("role", out var role) && role is string and "admin")
        {
            return (Caller.Admin, expires);
        }

        return result.Claims.TryGetValue("sub", out var subject) && subject is string name && access.Enterprises.ContainsKey(name.ToLowerInvariant())
            ? (Caller.ForEnterprise(name.ToLowerInvariant()), expires)
            : null;
    }
}
