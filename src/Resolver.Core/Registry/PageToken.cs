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
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, Reasons.InvalidPageToken, "the page token is not one this server issued; pass next_page_token from the previous page unchanged"));
        }
    }
}
