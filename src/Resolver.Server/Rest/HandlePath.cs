using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Resolver.Core.Errors;

namespace Resolver.Server.Rest;

/// <summary>
/// The handle named by a request to <c>/api/handles/{prefix}/{suffix}</c>, as Handle.Net reads it: the rest of the path as
/// the client sent it (not the server's normalised path), percent-decoded once as UTF-8, so that <c>A%2FB</c> and
/// <c>A/B</c> name the same suffix and <c>%25</c> is a literal '%'. A <c>..</c> segment is refused rather than resolved.
/// </summary>
internal static class HandlePath
{
    /// <summary>Where the handle starts in the path.</summary>
    public const string Root = "/api/handles/";

    /// <summary>The handle the request names, or the problem (INVALID_ARGUMENT, Handle's 102) with its path.</summary>
    public static bool TryGet(HttpContext context, out string handle, out Problem? problem) => TryDecode(RawPath(context), out handle, out problem);

    /// <summary>
    /// The request's path as the client sent it, before the server decoded or normalised it (query left out; an
    /// absolute-form target, RFC 9112 §3.2.2, from its path on). Only this tells <c>%2F</c> from <c>/</c> and <c>%252F</c>.
    /// </summary>
    public static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? raw : raw[..query];
        if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var authorityEnd = path.IndexOf('/', path.IndexOf("//", StringComparison.Ordinal) + 2);
            path = authorityEnd < 0 ? "/" : path[authorityEnd..];
        }

        return path;
    }

    /// <summary>Decodes the handle from a raw request path (without query).</summary>
    public static bool TryDecode(string rawPath, out string handle, out Problem? problem)
    {
        if (!rawPath.StartsWith(Root, StringComparison.OrdinalIgnoreCase))
        {
            handle = "";
            problem = Invalid("the path must be /api/handles/{prefix}/{suffix}");
            return false;
        }

        handle = rawPath[Root.Length..]; // on a refusal, the handle as the client sent it

        if (!TryPercentDecode(rawPath.AsSpan(Root.Length), out var decoded))
        {
            problem = Invalid("the path is not valid percent-encoded UTF-8 (write a '%' as %25)");
            return false;
        }

        if (decoded.Split('/').Contains(".."))
        {
            problem = Invalid("a '..' path segment does not name a handle; percent-encoding it does not help (%2E%2E is '..' too)");
            return false;
        }

        handle = decoded;
        problem = null;
        return true;
    }

    /// <summary>
    /// One round of percent-decoding into UTF-8 bytes, then a strict UTF-8 read: false for a lone '%' or invalid UTF-8.
    /// With <paramref name="keepEncodedSlash"/>, <c>%2F</c> stays as it was written, as Kestrel leaves it in the request path.
    /// </summary>
    public static bool TryPercentDecode(ReadOnlySpan<char> encoded, out string decoded, bool keepEncodedSlash = false)
    {
        decoded = "";
        var bytes = new List<byte>(encoded.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !Uri.IsHexDigit(encoded[i + 1]) || !Uri.IsHexDigit(encoded[i + 2]))
                {
                    return false;
                }

                if (keepEncodedSlash && encoded[i + 1] == '2' && encoded[i + 2] is 'F' or 'f')
                {
                    bytes.AddRange("%2"u8);
                    bytes.Add((byte)encoded[i + 2]);
                    i += 2;
                    continue;
                }

                bytes.Add((byte)((Uri.FromHex(encoded[i + 1]) << 4) | Uri.FromHex(encoded[i + 2])));
                i += 2;
            }
            else if (char.IsSurrogate(c))
            {
                return false; // a raw request target is bytes read as Latin-1 or UTF-8; never a lone surrogate
            }
            else
            {
                var length = new Rune(c).EncodeToUtf8(utf8);
                for (var b = 0; b < length; b++)
                {
                    bytes.Add(utf8[b]);
                }
            }
        }

        try
        {
            decoded = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static Problem Invalid(string why) => new(ErrorKind.InvalidArgument, HandleCodes.InvalidPathReason, why);
}
