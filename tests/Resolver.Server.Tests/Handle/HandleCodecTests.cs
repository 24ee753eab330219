using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Resolver.Core.Records;
using Resolver.Handle;

namespace Resolver.Server.Tests.Handle;

/// <summary>
/// The Handle protocol's messages byte by byte (RFC 3652 §2–§3 as CNRI's Handle.Net 9 encodes them): the national SDK's
/// captured request, version negotiation, the request digest, site information, UDP datagrams, and what a hostile
/// length does. No I/O.
/// </summary>
public sealed class HandleCodecTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    /// <summary>
    /// id-pointer-sdk's anonymous resolution request as the issue captured it: protocol 2.10 suggesting 2.11, REC|CA|PO,
    /// no index or type, and a 4-byte empty "auth string" after the type list.
    /// </summary>
    internal static byte[] IdPointerRequest(string handle = "88.168.1/ABC-123", int requestId = 1)
    {
        var name = Encoding.UTF8.GetBytes(handle);
        var body = new byte[4 + name.Length + 4 + 4 + 4];
        BinaryPrimitives.WriteInt32BigEndian(body, name.Length);
        name.CopyTo(body, 4);
        var message = new byte[HandleProtocol.HeaderSize + body.Length + 4];
        new MessageHeader(OpCode.Resolution, 0, (OpFlags)0x1900_0000, -1, 0, (int)Now.ToUnixTimeSeconds() + 60, body.Length).Write(message);
        body.CopyTo(message, HandleProtocol.HeaderSize);
        var envelope = new byte[HandleProtocol.EnvelopeSize];
        Convert.FromHexString("020a020b").CopyTo(envelope, 0);
        BinaryPrimitives.WriteInt32BigEndian(envelope.AsSpan(8), requestId);
        BinaryPrimitives.WriteInt32BigEndian(envelope.AsSpan(16), message.Length);
        return [.. envelope, .. message];
    }

    [Fact]
    public void IdPointerRequest_Fixture_ReadsAsAnAnonymousResolutionOfAllValues()
    {
        var bytes = IdPointerRequest();
        Assert.Equal("020a020b" + "00000000" + "00000001" + "00000000" + "0000003c", Convert.ToHexStringLower(bytes.AsSpan(0, 20))); // as captured

        var envelope = MessageEnvelope.Read(bytes);
        var message = HandleMessage.Read(envelope, bytes.AsMemory(HandleProtocol.EnvelopeSize));
        var request = ResolutionRequest.Read(message.Body.Span);

        Assert.Equal((2, 10, 2, 11), (envelope.MajorVersion, envelope.MinorVersion, envelope.SuggestedMajorVersion, envelope.SuggestedMinorVersion));
        Assert.Equal(60, envelope.MessageLength);
        Assert.Equal(OpFlags.Recursive | OpFlags.CacheCertify | OpFlags.PublicOnly, message.Header.Flags);
        Assert.Equal(32, message.Header.BodyLength);
        Assert.Equal("88.168.1/ABC-123", request.Handle);
        Assert.Empty(request.Indexes);
        Assert.Empty(request.Types);
    }

    [Theory]
    [InlineData(2, 11, 2, 11)]
    [InlineData(2, 5, 2, 5)]
    [InlineData(3, 0, 2, 11)]
    [InlineData(2, 12, 2, 11)]
    public void Answer_IsInTheLowerOfTheSuggestedVersionAndOurs_EchoingRequestAndSessionIds(byte suggestedMajor, byte suggestedMinor, byte major, byte minor)
    {
        var envelope = new MessageEnvelope(2, 1, EnvelopeFlags.None, suggestedMajor, suggestedMinor, SessionId: 77, RequestId: 4242, 0, 0);
        using var output = new MessageBuffer();

        ResponseWriter.Error(output, Answering.EnvelopeOnly(envelope), Now, ResponseCode.HandleNotFound, "none");

        var answer = MessageEnvelope.Read(output.WrittenSpan);
        Assert.Equal((major, minor), (answer.MajorVersion, answer.MinorVersion));
        Assert.Equal((77, 4242), (answer.SessionId, answer.RequestId));
        Assert.Equal(output.Length - HandleProtocol.EnvelopeSize, answer.MessageLength);
    }

    [Fact]
    public void Envelope_WithoutSuggestedVersion_SuggestsItsOwn()
    {
        var bytes = new byte[20];
        bytes[0] = 2;
        bytes[1] = 4;

        var envelope = MessageEnvelope.Read(bytes);

        Assert.Equal((2, 4), (envelope.SuggestedMajorVersion, envelope.SuggestedMinorVersion));
    }

    [Theory]
    [InlineData(11, 3, 32)]
    [InlineData(7, 3, 32)]
    [InlineData(6, 2, 20)]
    public void RequestDigest_IsSha256From27AndSha1Before_OverTheRequestsHeaderAndBody(byte minor, byte digestType, int digestSize)
    {
        using var request = new MessageBuffer();
        RequestWriter.Resolution(request, 9, new ResolutionRequest("88.1/x", [], []), OpFlags.ReturnRequestDigest, Now);
        var bytes = request.WrittenSpan.ToArray();
        bytes[1] = minor;
        bytes[3] = minor;
        var message = HandleMessage.Read(MessageEnvelope.Read(bytes), bytes.AsMemory(20));
        using var output = new MessageBuffer();

        ResponseWriter.Resolution(output, Answering.Message(message), Now, "88.1/x", []);

        var answer = HandleResponse.Read(HandleMessage.Read(MessageEnvelope.Read(output.WrittenSpan), output.WrittenMemory[20..]), Now);
#pragma warning disable CA5350 // what protocol 2.1–2.6 clients check the answer with
        var expected = digestSize == 32 ? SHA256.HashData(message.HeaderAndBody.Span) : SHA1.HashData(message.HeaderAndBody.Span);
#pragma warning restore CA5350
        Assert.Equal([digestType, .. expected], answer.RequestDigest!);
        Assert.Equal("88.1/x", answer.Handle);
    }

    [Fact]
    public void Values_RoundTrip_TextBinaryReferencesPermissionsAndTtl()
    {
        HandleValue[] values =
        [
            new(1, "URL", ValueData.FromText("https://acme.example/零件"), 3600, Now, ValuePermissions.Default, []),
            new(2, "HS_ADMIN", ValueData.FromBytes([0x0f, 0xf2, 0, 0, 0, 0x0a]), 86400, Now, ValuePermissions.AdminRead | ValuePermissions.AdminWrite, [new ValueReference("88.1/ADMIN", 300)]),
        ];
        using var output = new MessageBuffer();
        using var request = new MessageBuffer();
        RequestWriter.Resolution(request, 1, new ResolutionRequest("88.1/x", [], []), OpFlags.None, Now);
        var asked = HandleMessage.Read(MessageEnvelope.Read(request.WrittenSpan), request.WrittenMemory[20..]);

        ResponseWriter.Resolution(output, Answering.Message(asked), Now, "88.1/x", values);
        var answer = HandleResponse.Read(HandleMessage.Read(MessageEnvelope.Read(output.WrittenSpan), output.WrittenMemory[20..]), Now);

        Assert.Equal(ResponseCode.Success, answer.Code);
        static object Shape(HandleValue v) => (v.Index, v.Type, v.Data, v.Ttl, v.Timestamp, v.Permissions, string.Join(",", v.References));
        Assert.Equal(values.Select(Shape), answer.Values.Select(Shape));
    }

    [Fact]
    public void AbsoluteTtl_IsReadAsTheSecondsLeft()
    {
        var value = Convert.FromHexString("00000001" + "00000000" + "01" + ((int)Now.ToUnixTimeSeconds() + 90).ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + "0e" + "00000003" + "55524c" + "00000001" + "78" + "00000000");
        var reader = new BodyReader(value);

        var read = WireValue.Read(ref reader, Now);

        Assert.Equal(90, read.Ttl);
        Assert.Equal("x", read.Data.Text);
    }

    [Fact]
    public void SiteInfo_RoundTrips_WithIpv4AfterTwelveZeroBytesAsCnriWritesIt()
    {
        var site = new SiteInfo(7, true, false, 0, [new SiteAttribute("desc", "Resolver")],
            [new ServerInfo(1, IPAddress.Parse("10.1.2.3"), ReadOnlyMemory<byte>.Empty, [new(InterfaceKind.Query, InterfaceProtocol.Tcp, 2641), new(InterfaceKind.Query, InterfaceProtocol.Udp, 2641)])]);

        var encoded = site.Encode();
        var decoded = SiteInfo.Decode(encoded);

        var address = encoded.AsSpan(encoded.Length - 4 - 12 - 4 - 16, 16); // server id, address, key length, interface count, interfaces
        Assert.Equal(Convert.FromHexString("000000000000000000000000" + "0a010203"), address.ToArray());
        Assert.Equal(IPAddress.Parse("10.1.2.3"), decoded.Servers[0].Address);
        Assert.Equal(site.Servers[0].Interfaces, decoded.Servers[0].Interfaces);
        Assert.Equal((7, true, "Resolver"), (decoded.SerialNumber, decoded.IsPrimary, decoded.Attributes[0].Value));
        Assert.Equal("hdl://10.1.2.3:2641", decoded.Servers[0].HandleEndpoint());
    }

    [Fact]
    public void Datagrams_SplitInto492BytePieces_AndReassembleInAnyOrder()
    {
        using var output = new MessageBuffer();
        var values = Enumerable.Range(1, 20).Select(i => new HandleValue(i, "URL", ValueData.FromText(new string('x', 100)), 60, Now, ValuePermissions.Default, [])).ToArray();
        ResponseWriter.Resolution(output, Answering.EnvelopeOnly(new MessageEnvelope(2, 11, 0, 2, 11, 0, 5, 0, 0)), Now, "88.1/x", values);
        var messageLength = output.Length - 20;
        var count = Datagrams.Count(messageLength);
        var datagrams = Enumerable.Range(0, count).Select(i =>
        {
            var buffer = new byte[512];
            return buffer.AsSpan(0, Datagrams.Write(output.WrittenSpan, i, buffer)).ToArray();
        }).ToArray();

        Assert.True(count > 4);
        Assert.All(datagrams, d => Assert.True(d.Length <= 512));
        Assert.Equal(Datagrams.WireBytes(messageLength), datagrams.Sum(d => d.Length));
        Assert.All(datagrams, d => Assert.True(MessageEnvelope.Read(d).Flags.HasFlag(EnvelopeFlags.Truncated)));
        var assembly = new DatagramAssembly(MessageEnvelope.Read(datagrams[^1]));
        var complete = false;
        foreach (var datagram in datagrams.Reverse().Concat([datagrams[0]]))
        {
            complete = assembly.Add(MessageEnvelope.Read(datagram), datagram.AsSpan(20));
        }

        Assert.True(complete);
        Assert.Equal(output.WrittenSpan[20..].ToArray(), assembly.Message.ToArray());
    }

    [Fact]
    public void HostileCounts_AreProtocolErrors_NotAllocations()
    {
        var body = Convert.FromHexString("00000001" + "78" + "7fffffff"); // handle "x", then 2^31-1 indexes in a 9-byte body

        var exception = Assert.Throws<HandleProtocolException>(() => ResolutionRequest.Read(body));

        Assert.Equal(ResponseCode.ProtocolError, exception.Code);
        Assert.Contains("index list", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7fffffff", "length")]
    [InlineData("00000004" + "ffffffff", "UTF-8")]
    public void BadHandle_IsInvalidHandle(string hex, string expected)
    {
        var exception = Assert.Throws<HandleProtocolException>(() => ResolutionRequest.Read(Convert.FromHexString(hex)));

        Assert.Equal(ResponseCode.InvalidHandle, exception.Code);
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Envelope_MessageLongerThan256KiB_IsRefused()
    {
        var bytes = new byte[20];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), HandleProtocol.MaxMessageLength + 1);

        Assert.Throws<HandleProtocolException>(() => MessageEnvelope.Read(bytes));
    }
}
