using Resolver.Core.Records;
using Operations = Resolver.Handle.OpCode;

namespace Resolver.Handle;

/// <summary>
/// A response as a client reads it: its code, and by code a resolution (handle and values), a site description, a
/// referral (handle and HS_SITE/HS_SERV values) or an error message. Outside input: lengths are checked, nothing else is believed.
/// </summary>
/// <param name="Code">The response code (<see cref="ResponseCode"/>).</param>
/// <param name="OpCode">The operation answered.</param>
/// <param name="Envelope">The envelope it came in, with the version the server answered in.</param>
/// <param name="Flags">The options the server set.</param>
/// <param name="Handle">The handle answered (resolution, referral); null otherwise.</param>
/// <param name="Values">The values (resolution, referral); empty otherwise.</param>
/// <param name="Site">The site described (site information); null otherwise.</param>
/// <param name="Message">The error message; null on success.</param>
/// <param name="RequestDigest">The digest of the request the server answered, with its type byte first; null when not asked for.</param>
public sealed record HandleResponse(
    int Code, int OpCode, MessageEnvelope Envelope, OpFlags Flags, string? Handle, IReadOnlyList<HandleValue> Values, SiteInfo? Site, string? Message, byte[]? RequestDigest)
{
    /// <summary>Reads a response message.</summary>
    /// <exception cref="HandleProtocolException">The message is a request, or its body does not read as its code says.</exception>
    public static HandleResponse Read(HandleMessage message, DateTimeOffset now)
    {
        var header = message.Header;
        if (header.ResponseCode == ResponseCode.Request)
        {
            throw new HandleProtocolException("a request where a response was expected");
        }

        var reader = new BodyReader(message.Body.Span);
        byte[]? digest = null;
        if (header.Flags.HasFlag(OpFlags.ReturnRequestDigest))
        {
            var type = reader.ReadByte("the request digest");
            var size = type switch { 1 => 16, 2 => 20, 3 => 32, _ => throw new HandleProtocolException($"request digest type {type} is unknown") };
            digest = [type, .. reader.ReadFixed(size, "the request digest")];
        }

        string? handle = null, text = null;
        SiteInfo? site = null;
        IReadOnlyList<HandleValue> values = [];
        switch (header.ResponseCode)
        {
            case ResponseCode.Success when header.OpCode == Operations.Resolution:
            case ResponseCode.ServiceReferral or ResponseCode.PrefixReferral:
                handle = reader.ReadString("the handle", HandleProtocol.MaxHandleLength);
                if (reader.Remaining > 0 || header.ResponseCode == ResponseCode.Success)
                {
                    var read = new HandleValue[reader.ReadCount("the values", 26, HandleProtocol.MaxValues)];
                    for (var i = 0; i < read.Length; i++)
                    {
                        read[i] = WireValue.Read(ref reader, now);
                    }

                    values = read;
                }

                break;
            case ResponseCode.Success when header.OpCode == Operations.GetSiteInfo:
                site = SiteInfo.Decode(reader.ReadFixed(reader.Remaining, "the site"));
                break;
            case ResponseCode.Success:
                break;
            case ResponseCode.AuthenticationNeeded:
                text = "the server asks for authentication";
                break;
            default:
                text = reader.Remaining >= 4 ? reader.ReadString("the error message", 65_536) : "";
                break;
        }

        return new HandleResponse(header.ResponseCode, header.OpCode, message.Envelope, header.Flags, handle, values, site, text, digest);
    }
}
