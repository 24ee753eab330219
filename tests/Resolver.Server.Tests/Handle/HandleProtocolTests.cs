using System.Net;
using System.Net.Sockets;
using Resolver.Handle;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests.Handle;

/// <summary>
/// The Handle protocol listener end to end (issue 24; docs/handle-protocol.md): a node on free ports, asked with the
/// project's own Handle client (the CLI's) and with raw bytes where a client would not send them, over TCP and UDP.
/// </summary>
public sealed class HandleProtocolTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static async Task<TestServer> StartWithRecordAsync(params string[] args)
    {
        var server = await TestServer.StartAsync(args);
        var acme = await server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct);
        var create = new CreateRecordRequest { Identifier = "88.168.1/ABC-123" };
        create.Values.Add(new Value { Index = 1, Type = "URL", Data = new ValueData { Text = "https://acme.example/abc-123" } });
        create.Values.Add(new Value { Index = 2, Type = "EMAIL", Data = new ValueData { Text = "ops@acme.example" } });
        create.Values.Add(new Value { Index = 3, Type = "URL.pdf", Data = new ValueData { Text = "https://acme.example/abc-123.pdf" } });
        create.Values.Add(new Value { Index = 4, Type = "batch", Data = new ValueData { Text = "B-7" }, Permissions = new Permissions { AdminRead = true, AdminWrite = true } });
        await new Registry.RegistryClient(server.As(acme.ApiKey)).CreateRecordAsync(create, cancellationToken: Ct);
        return server;
    }

    internal static HandleClient ClientOf(TestServer server) => new("127.0.0.1", server.HandlePort, TimeProvider.System, TimeSpan.FromSeconds(2));

    internal static Task<HandleResponse> ResolveAsync(HandleClient client, string handle, HandleTransport transport, string[]? types = null, int[]? indexes = null, OpFlags flags = OpFlags.Recursive) =>
        client.ResolveAsync(new ResolutionRequest(handle, indexes ?? [], types ?? []), flags, transport, Ct);

    [Theory]
    [InlineData(HandleTransport.Tcp)]
    [InlineData(HandleTransport.Udp)]
    public async Task Resolution_FiltersByTypeAndIndex_PublicValuesOnly_AndSaysWhatIsMissing(HandleTransport transport)
    {
        await using var server = await StartWithRecordAsync();
        await using var client = ClientOf(server);

        var all = await ResolveAsync(client, "88.168.1/abc-123", transport);
        var urls = await ResolveAsync(client, "88.168.1/ABC-123", transport, types: ["URL."]);
        var second = await ResolveAsync(client, "88.168.1/ABC-123", transport, indexes: [2]);
        var either = await ResolveAsync(client, "88.168.1/ABC-123", transport, types: ["EMAIL"], indexes: [1]);
        var withheld = await ResolveAsync(client, "88.168.1/ABC-123", transport, types: ["batch"]);
        var missing = await ResolveAsync(client, "88.168.1/NONE", transport);
        var invalid = await ResolveAsync(client, "88.168.1/A\u200bB", transport);

        Assert.Equal(ResponseCode.Success, all.Code);
        Assert.Equal("88.168.1/abc-123", all.Handle); // the handle as asked, as CNRI answers
        Assert.Equal([1, 2, 3], all.Values.Select(v => v.Index)); // the private value 4 is not for an anonymous caller
        Assert.Equal("https://acme.example/abc-123", all.Values[0].Data.Text);
        Assert.Equal(["URL", "URL.pdf"], urls.Values.Select(v => v.Type));
        Assert.Equal(["EMAIL"], second.Values.Select(v => v.Type));
        Assert.Equal([1, 2], either.Values.Select(v => v.Index));
        Assert.Equal(ResponseCode.ValuesNotFound, withheld.Code);
        Assert.Equal(ResponseCode.HandleNotFound, missing.Code);
        Assert.Contains("not registered", missing.Message, StringComparison.Ordinal);
        Assert.Equal(ResponseCode.InvalidHandle, invalid.Code);
        Assert.Contains("position", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdPointerSdkRequest_AsCaptured_IsAnsweredOnAConnectionThatStaysOpen()
    {
        await using var server = await StartWithRecordAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.HandlePort, Ct);
        var stream = tcp.GetStream();

        var answers = new List<HandleResponse>();
        for (var requestId = 1; requestId <= 3; requestId++)
        {
            await stream.WriteAsync(HandleCodecTests.IdPointerRequest(requestId: requestId), Ct);
            answers.Add(await ReadAnswerAsync(stream));
        }

        Assert.All(answers, a => Assert.Equal(ResponseCode.Success, a.Code));
        Assert.Equal([1, 2, 3], answers.Select(a => a.Envelope.RequestId));
        Assert.All(answers, a => Assert.Equal((2, 11), (a.Envelope.MajorVersion, a.Envelope.MinorVersion))); // it suggested 2.11
        Assert.Equal(3, answers[0].Values.Count);
    }

    [Fact]
    public async Task OneConnection_CarriesManyRequestsInFlight_EachAnsweredByItsRequestId()
    {
        await using var server = await StartWithRecordAsync();
        await using var connection = await HandleConnection.ConnectAsync("127.0.0.1", server.HandlePort, 64, TimeProvider.System, Ct);

        var asked = Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? "88.168.1/ABC-123" : $"88.168.1/NONE-{i}").ToArray();
        var answers = await Task.WhenAll(asked.Select(handle => connection.SendAsync(
            (buffer, id) => RequestWriter.Resolution(buffer, id, new ResolutionRequest(handle, [], ["URL"]), OpFlags.None, DateTimeOffset.UtcNow), Ct)));

        Assert.Equal(asked.Select(h => h.Contains("NONE", StringComparison.Ordinal) ? ResponseCode.HandleNotFound : ResponseCode.Success), answers.Select(a => a.Code));
        Assert.All(asked.Zip(answers), pair => Assert.True(pair.Second.Handle == pair.First || pair.Second.Message!.StartsWith($"identifier {pair.First} is not", StringComparison.Ordinal), pair.First)); // each its own answer
        Assert.False(connection.IsBroken);
    }

    [Fact]
    public async Task SiteInfo_ListsTcpFirstThenUdpThenHttp_AtTheSiteAddress()
    {
        await using var server = await StartWithRecordAsync("--handle-site-address", "192.0.2.10");
        await using var client = ClientOf(server);

        var viaTcp = await client.GetSiteInfoAsync(HandleTransport.Tcp, Ct);
        var viaUdp = await client.GetSiteInfoAsync(HandleTransport.Udp, Ct);

        Assert.Equal(ResponseCode.Success, viaTcp.Code);
        var only = Assert.Single(viaTcp.Site!.Servers);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), only.Address);
        Assert.Equal([InterfaceProtocol.Tcp, InterfaceProtocol.Udp, InterfaceProtocol.Http], only.Interfaces.Select(i => i.Protocol));
        Assert.Equal([server.HandlePort, server.HandlePort, new Uri(server.HttpAddress).Port], only.Interfaces.Select(i => i.Port));
        Assert.Equal(viaTcp.Site.Servers[0].Interfaces, viaUdp.Site!.Servers[0].Interfaces);
    }

    [Fact]
    public async Task PrefixHandle_AnswersTheSiteOfWhoeverServesThePrefix()
    {
        await using var server = await StartWithRecordAsync("--handle-site-address", "192.0.2.10");
        await server.Admin.DelegatePrefixAsync(new DelegatePrefixRequest { Prefix = "88.300", Sites = { "hdl://198.51.100.7:2641" } }, cancellationToken: Ct);
        await using var client = ClientOf(server);

        var homed = await ResolveAsync(client, "0.NA/88.168.1", HandleTransport.Tcp, types: ["HS_SITE"]);
        var bare = await ResolveAsync(client, "88.168.1", HandleTransport.Udp, types: ["HS_SITE"]); // what the national SDK asks
        var below = await ResolveAsync(client, "0.NA/88.168.1.5", HandleTransport.Tcp);
        var delegated = await ResolveAsync(client, "0.NA/88.300", HandleTransport.Tcp, types: ["HS_SITE"]);
        var unknown = await ResolveAsync(client, "0.NA/88.999", HandleTransport.Tcp);
        var otherType = await ResolveAsync(client, "0.NA/88.168.1", HandleTransport.Tcp, types: ["HS_ADMIN"]);

        Assert.Equal(IPAddress.Parse("192.0.2.10"), SiteOf(homed).Servers[0].Address);
        Assert.Equal(InterfaceProtocol.Tcp, SiteOf(homed).Servers[0].Interfaces[0].Protocol);
        Assert.Equal("88.168.1", bare.Handle);
        Assert.Equal(SiteOf(homed).Servers[0].Interfaces, SiteOf(bare).Servers[0].Interfaces);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), SiteOf(below).Servers[0].Address);
        Assert.Equal("hdl://198.51.100.7:2641", SiteOf(delegated).Servers[0].HandleEndpoint());
        Assert.Equal(ResponseCode.ServerNotResponsible, unknown.Code);
        Assert.Equal(ResponseCode.ValuesNotFound, otherType.Code);
    }

    private static SiteInfo SiteOf(HandleResponse response)
    {
        Assert.Equal(ResponseCode.Success, response.Code);
        var value = Assert.Single(response.Values);
        Assert.Equal("HS_SITE", value.Type);
        return SiteInfo.Decode(value.Data.Bytes);
    }

    [Fact]
    public async Task DelegatedPrefix_WithoutRecursion_IsNotResponsible_AsHandleNetAnswers()
    {
        await using var server = await StartWithRecordAsync();
        await server.Admin.DelegatePrefixAsync(new DelegatePrefixRequest { Prefix = "88.300", Sites = { "hdl://198.51.100.7:2641" } }, cancellationToken: Ct);
        await using var client = ClientOf(server);

        var answer = await ResolveAsync(client, "88.300/X", HandleTransport.Tcp);

        Assert.Equal(ResponseCode.ServerNotResponsible, answer.Code);
        Assert.Contains("hdl://198.51.100.7:2641", answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherOperations_AreNotSupported_WithAMessageSayingWhatIs()
    {
        await using var server = await StartWithRecordAsync();
        await using var connection = await HandleConnection.ConnectAsync("127.0.0.1", server.HandlePort, 4, TimeProvider.System, Ct);

        var answer = await connection.SendAsync((buffer, id) =>
        {
            RequestWriter.GetSiteInfo(buffer, id, DateTimeOffset.UtcNow);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(buffer.Written(20, 4), OpCode.CreateHandle);
        }, Ct);

        Assert.Equal(ResponseCode.OperationNotSupported, answer.Code);
        Assert.Contains("REST API", answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UdpAnswer_PastTheBound_TellsTheClientToUseTcp_WhichGetsItWhole()
    {
        await using var server = await StartWithRecordAsync("--handle-udp-answer-bytes", "512");
        var update = new UpdateRecordRequest { Identifier = "88.168.1/ABC-123" };
        update.Values.Add(new Value { Index = 10, Type = "DESC", Data = new ValueData { Text = new string('d', 600) } });
        await server.Registry.UpdateRecordAsync(update, cancellationToken: Ct);
        await using var client = ClientOf(server);

        var overUdp = await ResolveAsync(client, "88.168.1/ABC-123", HandleTransport.Udp);
        var small = await ResolveAsync(client, "88.168.1/ABC-123", HandleTransport.Udp, indexes: [1]);
        var fallback = await ResolveAsync(client, "88.168.1/ABC-123", HandleTransport.UdpThenTcp);

        Assert.Equal(ResponseCode.Error, overUdp.Code);
        Assert.True(overUdp.Envelope.Flags.HasFlag(EnvelopeFlags.Truncated));
        Assert.Contains("ask over TCP", overUdp.Message, StringComparison.Ordinal);
        Assert.Equal(ResponseCode.Success, small.Code);
        Assert.Equal(ResponseCode.Success, fallback.Code);
        Assert.Equal(600, fallback.Values.Single(v => v.Index == 10).Data.Text!.Length);
    }

    [Fact]
    public async Task UdpAnswer_WithinTheBound_ComesInSeveralDatagrams()
    {
        await using var server = await StartWithRecordAsync("--handle-udp-answer-bytes", "4096");
        var update = new UpdateRecordRequest { Identifier = "88.168.1/ABC-123" };
        update.Values.Add(new Value { Index = 10, Type = "DESC", Data = new ValueData { Text = new string('d', 1500) } });
        await server.Registry.UpdateRecordAsync(update, cancellationToken: Ct);
        await using var client = ClientOf(server);

        var answer = await ResolveAsync(client, "88.168.1/ABC-123", HandleTransport.Udp);

        Assert.Equal(ResponseCode.Success, answer.Code);
        Assert.Equal(1500, answer.Values.Single(v => v.Index == 10).Data.Text!.Length);
    }

    [Fact]
    public async Task Datagram_ThatIsNotARequest_IsNeverAnswered()
    {
        await using var server = await StartWithRecordAsync();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(IPAddress.Loopback, server.HandlePort);
        using var response = new MessageBuffer();
        ResponseWriter.Error(response, Answering.EnvelopeOnly(new MessageEnvelope(2, 11, 0, 2, 11, 0, 1, 0, 0)), DateTimeOffset.UtcNow, ResponseCode.HandleNotFound, "bounce");
        var request = HandleCodecTests.IdPointerRequest(requestId: 2);

        await socket.SendAsync(response.WrittenMemory, Ct); // a response (spoofed from another server): silence
        await socket.SendAsync(request, Ct); // then two requests, one after the other's answer: only their answers come back
        var datagram = new byte[512];
        var first = MessageEnvelope.Read(datagram.AsSpan(0, await socket.ReceiveAsync(datagram, Ct))).RequestId;
        await socket.SendAsync(HandleCodecTests.IdPointerRequest(requestId: 3), Ct);
        var second = MessageEnvelope.Read(datagram.AsSpan(0, await socket.ReceiveAsync(datagram, Ct))).RequestId;

        Assert.Equal((2, 3), (first, second));
    }

    [Fact]
    public async Task TcpMessage_Over256KiB_IsAProtocolError_AndTheConnectionCloses()
    {
        await using var server = await StartWithRecordAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.HandlePort, Ct);
        var stream = tcp.GetStream();
        var envelope = new byte[20];
        new MessageEnvelope(2, 11, 0, 2, 11, 0, 9, 0, HandleProtocol.MaxMessageLength + 1).Write(envelope);

        await stream.WriteAsync(envelope, Ct);
        stream.ReadTimeout = 10_000; // a node that waited for the 256 KiB instead of refusing them would never answer
        var answer = await ReadAnswerAsync(stream).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var rest = await stream.ReadAsync(new byte[1], Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(ResponseCode.ProtocolError, answer.Code);
        Assert.Equal(9, answer.Envelope.RequestId);
        Assert.Equal(0, rest); // closed: nothing after an unreadable envelope can be trusted to be in step
    }

    [Fact]
    public async Task Record_LargerThanAHandleMessage_IsRefusedBeforeItIsEncoded_AndTheConnectionStaysUsable()
    {
        await using var server = await StartWithRecordAsync();
        var update = new UpdateRecordRequest { Identifier = "88.168.1/ABC-123" };
        for (var i = 0; i < 5; i++)
        {
            update.Values.Add(new Value { Index = 20 + i, Type = "DESC", Data = new ValueData { Text = new string('d', 60_000) } });
        }

        await server.Registry.UpdateRecordAsync(update, cancellationToken: Ct);
        await using var client = ClientOf(server);

        var whole = await ResolveAsync(client, "88.168.1/ABC-123", HandleTransport.Tcp);
        var some = await ResolveAsync(client, "88.168.1/ABC-123", HandleTransport.Tcp, types: ["URL"]);

        Assert.Equal(ResponseCode.Error, whole.Code);
        Assert.Contains("256 KiB", whole.Message, StringComparison.Ordinal);
        Assert.Contains("REST API", whole.Message, StringComparison.Ordinal);
        Assert.Equal(ResponseCode.Success, some.Code); // the same connection, still in step
    }

    [Fact]
    public async Task Connections_FromOneAddress_AreBounded()
    {
        await using var server = await StartWithRecordAsync();
        var open = new List<TcpClient>();
        try
        {
            for (var i = 0; i < HandleWire.HandleListener.MaxConnectionsPerAddress; i++)
            {
                var connection = new TcpClient();
                await connection.ConnectAsync(IPAddress.Loopback, server.HandlePort, Ct);
                open.Add(connection);
            }

            using var past = new TcpClient();
            await past.ConnectAsync(IPAddress.Loopback, server.HandlePort, Ct);
            await past.GetStream().WriteAsync(HandleCodecTests.IdPointerRequest(), Ct);
            var read = await past.GetStream().ReadAsync(new byte[64], Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);

            Assert.Equal(0, read); // closed without an answer
        }
        finally
        {
            open.ForEach(c => c.Dispose());
        }

        await using var client = ClientOf(server); // and once they are gone, connections are taken again
        await Eventually.TrueAsync(async () => (await ResolveAsync(client, "88.168.1/ABC-123", HandleTransport.Tcp)).Code == ResponseCode.Success, TimeSpan.FromSeconds(10), "no connection taken after the others closed");
    }

    [Fact]
    public async Task RateLimit_IsTheSameBucketAsGrpc_AnsweredAsServerTooBusy()
    {
        await using var server = await StartWithRecordAsync("--rate-limit", "3");
        await using var client = ClientOf(server);

        var busy = false;
        for (var attempt = 0; attempt < 3 && !busy; attempt++)
        {
            for (var i = 0; i < 8; i++)
            {
                try
                {
                    await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/ABC-123" }, cancellationToken: Ct);
                }
                catch (Grpc.Core.RpcException)
                {
                    // spent the bucket, or found it empty
                }
            }

            var answer = await ResolveAsync(client, "88.168.1/ABC-123", HandleTransport.Tcp);
            busy = answer.Code == ResponseCode.ServerTooBusy;
        }

        Assert.True(busy, "the Handle listener had a rate-limit bucket of its own");
    }

    internal static async Task<HandleResponse> ReadAnswerAsync(NetworkStream stream)
    {
        var envelopeBytes = new byte[20];
        await stream.ReadExactlyAsync(envelopeBytes, Ct);
        var envelope = MessageEnvelope.Read(envelopeBytes);
        var message = new byte[envelope.MessageLength];
        await stream.ReadExactlyAsync(message, Ct);
        return HandleResponse.Read(HandleMessage.Read(envelope, message), DateTimeOffset.UtcNow);
    }
}
