using System.Buffers.Text;
using System.Text;
using Resolver.Core.Errors;

namespace Resolver.Core.Registry;

/// <summary>Opaque paging tokens: the last key of a page, base64url-encoded.</summary>
internal static class PageToken
{
    public static string Encode(string lastKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastKey));

    public static string? Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var key = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(token));
            return key.Contains('\0', StringComparison.Ordinal) ? throw new FormatException("not a key") : key;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException)
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, Reasons.InvalidPageToken, "the page token is not one this server issued; pass next_page_token from the previous page unchanged"));
        }
    }
}
