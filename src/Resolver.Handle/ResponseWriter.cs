using System.Buffers.Binary;
using System.Security.Cryptography;
using Resolver.Core.Records;

namespace Resolver.Handle;

/// <summary>
/// Writes answers (RFC 3652 §2–§3, as CNRI's <c>Encoder</c> lays them out): envelope, header, the request digest when
/// asked for (RD: a hash-type byte, then SHA-256 of the request's header and body for protocol 2.7 and later, SHA-1
/// before), the body, and an empty credential section. The answer is left in the <see cref="MessageBuffer"/>, envelope
/// included, for a TCP stream or to be cut into UDP datagrams (<see cref="Datagrams"/>).
/// </summary>
public static class ResponseWriter
{
    private const byte Sha1Digest = 2, Sha256Digest = 3;
    private const int Prelude = HandleProtocol.EnvelopeSize + HandleProtocol.HeaderSize;

    /// <summary>A successful resolution: the handle as registered and the values the caller may see.</summary>
    public static void Resolution(MessageBuffer output, in Answering request, DateTimeOffset now, string handle, IReadOnlyList<HandleValue> values)
    {
        var writer = Begin(output, request);
        writer.WriteString(handle);
        writer.WriteInt32(values.Count);
        foreach (var value in values)
        {
            WireValue.Write(writer, value);
        }

        End(output, request, ResponseCode.Success, now);
    }

    /// <summary>A site-information answer: the site's description (<see cref="SiteInfo.Encode"/>).</summary>
    public static void SiteInfo(MessageBuffer output, in Answering request, DateTimeOffset now, ReadOnlySpan<byte> site)
    {
        var writer = Begin(output, request);
        writer.WriteRaw(site);
        End(output, request, ResponseCode.Success, now);
    }

    /// <summary>A referral (<see cref="ResponseCode.ServiceReferral"/> or <see cref="ResponseCode.PrefixReferral"/>): the handle asked and the HS_SITE values of where it is served.</summary>
    public static void Referral(MessageBuffer output, in Answering request, DateTimeOffset now, int code, string handle, IReadOnlyList<HandleValue> site)
    {
        var writer = Begin(output, request);
        writer.WriteString(handle);
        writer.WriteInt32(site.Count);
        foreach (var value in site)
        {
            WireValue.Write(writer, value);
        }

        End(output, request, code, now);
    }

    /// <summary>An error answer: <paramref name="code"/> and a message a person can act on (UTF-8).</summary>
    public static void Error(MessageBuffer output, in Answering request, DateTimeOffset now, int code, string message, EnvelopeFlags flags = EnvelopeFlags.None)
    {
        var writer = Begin(output, request);
        writer.WriteString(message);
        End(output, request, code, now, flags);
    }

    private static BodyWriter Begin(MessageBuffer output, in Answering request)
    {
        output.Reset();
        output.GetSpan(Prelude);
        output.Advance(Prelude); // envelope and header, written once the lengths are known
        var writer = new BodyWriter(output);
        if (request.AnswerFlags.HasFlag(OpFlags.ReturnRequestDigest))
        {
            var (major, minor) = request.Version;
            var sha256 = major > 2 || (major == 2 && minor >= 7);
            writer.WriteByte(sha256 ? Sha256Digest : Sha1Digest);
            var digest = output.GetSpan(SHA256.HashSizeInBytes);
#pragma warning disable CA5350 // a digest of the request, not a signature: protocol 2.1–2.6 clients expect SHA-1 (CNRI AbstractResponse.takeDigestOfRequest)
            output.Advance(sha256 ? SHA256.HashData(request.HeaderAndBody.Span, digest) : SHA1.HashData(request.HeaderAndBody.Span, digest));
#pragma warning restore CA5350
        }

        return writer;
    }

    private static void End(MessageBuffer output, in Answering request, int code, DateTimeOffset now, EnvelopeFlags flags = EnvelopeFlags.None)
    {
        var bodyLength = output.Length - Prelude;
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), 0); // credential section: none
        output.Advance(4);
        var (major, minor) = request.Version;
        var expiration = (int)Math.Min(now.ToUnixTimeSeconds() + HandleProtocol.ResponseLifetimeSeconds, int.MaxValue);
        new MessageHeader(request.OpCode, code, request.AnswerFlags, -1, request.RecursionCount, expiration, bodyLength)
            .Write(output.Written(HandleProtocol.EnvelopeSize, HandleProtocol.HeaderSize));
        new MessageEnvelope(major, minor, flags, HandleProtocol.MajorVersion, HandleProtocol.MinorVersion,
                request.Envelope.SessionId, request.Envelope.RequestId, 0, output.Length - HandleProtocol.EnvelopeSize)
            .Write(output.Written(0, HandleProtocol.EnvelopeSize));
    }
}
