using System.Security.Cryptography;
using System.Text;
using Resolver.Core.Security;

namespace Resolver.Core.Tests.Security;

/// <summary>API keys: their shape, and that only a salted hash of the secret is kept and checked.</summary>
public sealed class ApiKeysTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_ThenTryParse_GivesBackTheIdAndASecretThatVerifies()
    {
        var (stored, plain) = ApiKeys.Create("acme", At);

        Assert.True(ApiKeys.TryParse(plain, out var id, out var secret));
        Assert.Equal(stored.Id, id);
        Assert.True(ApiKeys.Verify(stored, secret));
        Assert.Equal(("acme", At), (stored.Enterprise, stored.CreatedAt));
    }

    [Fact]
    public void Create_StoresSha256OfSaltThenSecret_NeverTheSecret()
    {
        var (stored, plain) = ApiKeys.Create("acme", At);
        Assert.True(ApiKeys.TryParse(plain, out _, out var secret));

        var expected = SHA256.HashData([.. stored.Salt, .. Encoding.UTF8.GetBytes(secret!)]);

        Assert.Equal(expected, stored.Hash);
        Assert.Equal(16, stored.Salt.Length);
        Assert.DoesNotContain(secret!, Convert.ToBase64String(stored.Hash), StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_AnotherSecret_IsFalse()
    {
        var (stored, _) = ApiKeys.Create("acme", At);
        var (_, other) = ApiKeys.Create("acme", At);
        Assert.True(ApiKeys.TryParse(other, out _, out var otherSecret));

        Assert.False(ApiKeys.Verify(stored, otherSecret!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("rk_")]
    [InlineData("xk_AAAAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // wrong scheme
    [InlineData("rk_AAAAAAAAAAAA-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // no separator
    [InlineData("rk_AAAAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]  // one short
    [InlineData("rk_AAAAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")] // one long
    public void TryParse_NotShapedLikeAKey_IsFalse(string presented) =>
        Assert.False(ApiKeys.TryParse(presented, out _, out _));

    [Fact]
    public void TryParse_AKeyShape_SplitsIdAndSecretAtTheirFixedLengths()
    {
        var presented = "rk_" + new string('I', 12) + "_" + new string('S', 43);

        Assert.True(ApiKeys.TryParse(presented, out var id, out var secret));
        Assert.Equal((new string('I', 12), new string('S', 43)), (id, secret));
    }

    [Theory]
    [InlineData("same-token-value-1234", "same-token-value-1234", true)]
    [InlineData("same-token-value-1234", "same-token-value-1235", false)]
    [InlineData("short", "short-but-longer", false)]
    public void TokensEqual_ComparesWholeTokens(string presented, string expected, bool equal) =>
        Assert.Equal(equal, ApiKeys.TokensEqual(presented, expected));
}
