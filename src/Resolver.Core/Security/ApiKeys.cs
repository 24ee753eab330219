using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Resolver.Core.Security;

/// <summary>
/// API keys look like <c>rk_ID_SECRET</c>: a public id to find the stored key, and 256 random bits of
/// secret. Only SHA-256(salt ‖ secret) is stored; a high-entropy secret needs no slow key derivation,
/// so checking a key costs one hash on the hot path, compared in constant time.
/// </summary>
public static class ApiKeys
{
    private const string Scheme = "rk_";

    /// <summary>A new key for <paramref name="enterprise"/>: the stored form, and the plain key to show once.</summary>
    public static (ApiKey Stored, string Plain) Create(string enterprise, DateTimeOffset at)
    {
        var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(9));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var salt = RandomNumberGenerator.GetBytes(16);
        return (new ApiKey(id, enterprise, salt, Hash(salt, secret), at), $"{Scheme}{id}_{secret}");
    }

    /// <summary>Splits a presented key into its id and secret; false when it is not shaped like a key.</summary>
    public static bool TryParse(string presented, [NotNullWhen(true)] out string? id, [NotNullWhen(true)] out string? secret)
    {
        id = secret = null;
        if (!presented.StartsWith(Scheme, StringComparison.Ordinal) || presented.Length != Scheme.Length + 12 + 1 + 43 || presented[Scheme.Length + 12] != '_')
        {
            return false;
        }

        id = presented.Substring(Scheme.Length, 12);
        secret = presented[(Scheme.Length + 13)..];
        return true;
    }

    /// <summary>True when <paramref name="secret"/> is the secret of <paramref name="key"/>.</summary>
    public static bool Verify(ApiKey key, string secret) =>
        CryptographicOperations.FixedTimeEquals(Hash(key.Salt, secret), key.Hash);

    /// <summary>Constant-time comparison of two tokens of any length (hashing first hides the length).</summary>
    public static bool TokensEqual(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static byte[] Hash(byte[] salt, string secret)
    {
        var secretBytes = Encoding.UTF8.GetBytes(secret);
        var input = new byte[salt.Length + secretBytes.Length];
        salt.CopyTo(input, 0);
        secretBytes.CopyTo(input, salt.Length);
        return SHA256.HashData(input);
    }
}
