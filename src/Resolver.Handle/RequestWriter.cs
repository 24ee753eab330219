using System.Buffers.Binary;

namespace Resolver.Handle;

/// <summary>Writes requests as CNRI's client does (protocol 2.11, suggesting 2.11, empty credential section).</summary>
public static class RequestWriter
{
    private const int Prelude = HandleProtocol.EnvelopeSize + HandleProtocol.HeaderSize;

    /// <summary>How long a request is valid for, from its sending (CNRI's clients use 12 hours too).</summary>
    public const int RequestLifetimeSeconds = HandleProtocol.ResponseLifetimeSeconds;

    /// <summary>A resolution request (<see cref="OpCode.Resolution"/>); <paramref name="recursionCount"/>: the servers it has passed already.</summary>
    public static void Resolution(MessageBuffer output, int requestId, ResolutionRequest request, OpFlags flags, DateTimeOffset now, int recursionCount = 0)
    {
        Begin(output);
        request.Write(output);
        End(output, requestId, OpCode.Resolution, flags, now, (byte)Math.Clamp(recursionCount, 0, byte.MaxValue));
    }

    /// <summary>A site-information request (<see cref="OpCode.GetSiteInfo"/>), for the handle <c>/</c> as CNRI's <c>hdl-getsiteinfo</c> sends it.</summary>
    public static void GetSiteInfo(MessageBuffer output, int requestId, DateTimeOffset now)
    {
        Begin(output);
        new BodyWriter(output).WriteString("/");
        End(output, requestId, OpCode.GetSiteInfo, OpFlags.None, now);
    }

    private static void Begin(MessageBuffer output)
    {
        output.Reset();
        output.GetSpan(Prelude);
        output.Advance(Prelude);
    }

    private static void End(MessageBuffer output, int requestId, int opCode, OpFlags flags, DateTimeOffset now, byte recursionCount = 0)
    {
        var bodyLength = output.Length - Prelude;
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), 0);
        output.Advance(4);
        var expiration = (int)Math.Min(now.ToUnixTimeSeconds() + RequestLifetimeSeconds, int.MaxValue);
        new MessageHeader(opCode, ResponseCode.Request, flags, -1, recursionCount, expiration, bodyLength)
            .Write(output.Written(HandleProtocol.EnvelopeSize, HandleProtocol.HeaderSize));
        new MessageEnvelope(HandleProtocol.MajorVersion, HandleProtocol.MinorVersion, EnvelopeFlags.None, HandleProtocol.MajorVersion, HandleProtocol.MinorVersion,
                0, requestId, 0, output.Length - HandleProtocol.EnvelopeSize)
            .Write(output.Written(0, HandleProtocol.EnvelopeSize));
    }
}
