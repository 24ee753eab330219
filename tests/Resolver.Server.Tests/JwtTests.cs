using System.Security.Claims;
using System.Text;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>JWT bearer tokens signed with the configured key: "sub" is the enterprise, "role": "admin" the administrator.</summary>
public sealed class JwtTests : IAsyncLifetime
{
    private const string Key = "a-test-signing-key-of-at-least-32-bytes!";
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync("--jwt-signing-key", Key, "--jwt-issuer", "https://idp.example");
        await _server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct);
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.170.1" }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static string Token(string signingKey, DateTime expires, params Claim[] claims) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity(claims),
        Issuer = "https://idp.example",
        NotBefore = expires.AddHours(-2),
        Expires = expires,
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
    });

    private async Task<StatusCode> CreateAsAsync(string token, string identifier)
    {
        var create = new CreateRecordRequest { Identifier = identifier };
        create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://jwt" } });
        try
        {
            await new Registry.RegistryClient(_server.As(token)).CreateRecordAsync(create, cancellationToken: Ct);
            return StatusCode.OK;
        }
        catch (RpcException exception)
        {
            return exception.StatusCode;
        }
    }

    [Fact]
    public async Task ValidToken_ForAnEnterprise_WritesUnderItsPrefixOnly()
    {
        var token = Token(Key, DateTime.UtcNow.AddHours(1), new Claim("sub", "acme"));

        Assert.Equal(StatusCode.OK, await CreateAsAsync(token, "88.168.1/JWT"));
        Assert.Equal(StatusCode.PermissionDenied, await CreateAsAsync(token, "88.170.1/JWT"));
    }

    [Fact]
    public async Task Tokens_ExpiredWronglySignedOrForUnknownEnterprises_AreUnauthenticated()
    {
        Assert.Equal(StatusCode.Unauthenticated, await CreateAsAsync(Token(Key, DateTime.UtcNow.AddHours(-1), new Claim("sub", "acme")), "88.168.1/A"));
        Assert.Equal(StatusCode.Unauthenticated, await CreateAsAsync(Token("another-key-that-is-also-32-bytes-long", DateTime.UtcNow.AddHours(1), new Claim("sub", "acme")), "88.168.1/B"));
        Assert.Equal(StatusCode.Unauthenticated, await CreateAsAsync(Token(Key, DateTime.UtcNow.AddHours(1), new Claim("sub", "nobody")), "88.168.1/C"));
    }

    [Fact]
    public async Task AdminRoleToken_MayHomePrefixes()
    {
        var token = Token(Key, DateTime.UtcNow.AddHours(1), new Claim("sub", "ops"), new Claim("role", "admin"));

        var response = await new Admin.AdminClient(_server.As(token)).HomePrefixAsync(new HomePrefixRequest { Prefix = "88.200" }, cancellationToken: Ct);

        Assert.True(response.Created);
    }
}
