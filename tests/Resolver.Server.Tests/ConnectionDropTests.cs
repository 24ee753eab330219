using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// A client whose TCP connection drops in the middle of its calls (it crashed, or a load generator stopped with calls in
/// flight) is a caller that left, not a server failure: the calls count as CANCELLED and nothing is logged as failed.
/// The connection is spoken by hand (HTTP/2 frames over a socket) because only then can it be cut with calls half sent.
/// </summary>
[Collection(MetricsScrapes.Name)]
public sealed class ConnectionDropTests : IAsyncLifetime
{
    private ServerProcess _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await ServerProcess.StartAsync();
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ConnectionDroppedMidCall_CallsCountCancelledAndNothingIsLoggedAsFailed()
    {
        var before = await PrometheusScrape.ReadAsync(_server.HttpAddress, Ct);
        var address = new Uri(_server.GrpcAddress);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host, address.Port, Ct);
        await using var connection = new NetworkStream(socket, ownsSocket: false);
        await connection.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), Ct);
        await WriteFrameAsync(connection, type: 4, flags: 0, stream: 0, []); // SETTINGS

        // Stream 1: a BatchResolve whose only message is cut short. Stream 3: a ResolveStream with one whole request and
        // the start of a second.
        var request = new ResolveRequest { Identifier = "88.168.1/anything" }.ToByteArray();
        await WriteFrameAsync(connection, type: 1, flags: 4, stream: 1, Headers(address, "/resolver.v1.Resolution/BatchResolve"));
        await WriteFrameAsync(connection, type: 0, flags: 0, stream: 1, [0, 0, 0, 0, 100, 10, 3]);
        await WriteFrameAsync(connection, type: 1, flags: 4, stream: 3, Headers(address, "/resolver.v1.Resolution/ResolveStream"));
        await WriteFrameAsync(connection, type: 0, flags: 0, stream: 3, [.. GrpcFrame(request), .. GrpcFrame(request)[..7]]);

        // The stream's first answer proves both calls are in the server's hands (HTTP/2 starts streams in order).
        await ReadUntilHeadersAsync(connection, stream: 3).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        socket.LingerState = new LingerOption(true, 0); // close with a reset, not a goodbye
        socket.Close();

        string[] methods = ["method=resolver.v1.Resolution/BatchResolve", "method=resolver.v1.Resolution/ResolveStream"];
        PrometheusScrape after = before;
        await Eventually.TrueAsync(async () =>
        {
            after = await PrometheusScrape.ReadAsync(_server.HttpAddress, Ct);
            return methods.All(m => after.Sum("resolver_requests_total", m) > before.Sum("resolver_requests_total", m));
        }, TimeSpan.FromSeconds(10), "the calls on the dropped connection were never counted");
        foreach (var method in methods)
        {
            Assert.Equal(1, after.Sum("resolver_requests_total", method) - before.Sum("resolver_requests_total", method));
            Assert.Equal(1, after.Sum("resolver_requests_total", method, "code=CANCELLED") - before.Sum("resolver_requests_total", method, "code=CANCELLED"));
        }

        Assert.DoesNotContain("fail:", _server.Output, StringComparison.Ordinal);
    }

    // HPACK (RFC 7541 §6.2.2): every field a literal without indexing, with a new name and no Huffman coding.
    private static byte[] Headers(Uri address, string path)
    {
        var block = new List<byte>();
        foreach (var (name, value) in new (string, string)[] { (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", address.Authority), ("content-type", "application/grpc"), ("te", "trailers") })
        {
            block.Add(0);
            block.Add((byte)name.Length);
            block.AddRange(Encoding.ASCII.GetBytes(name));
            block.Add((byte)value.Length);
            block.AddRange(Encoding.ASCII.GetBytes(value));
        }

        return [.. block];
    }

    private static byte[] GrpcFrame(byte[] message)
    {
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    // RFC 9113 §4.1: length (24 bits), type, flags, stream identifier (31 bits), payload.
    private static async Task WriteFrameAsync(Stream connection, byte type, byte flags, int stream, byte[] payload)
    {
        var header = new byte[9];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), stream);
        await connection.WriteAsync(header, Ct);
        await connection.WriteAsync(payload, Ct);
        await connection.FlushAsync(Ct);
    }

    // Reads the server's frames, acknowledging its SETTINGS, until a HEADERS frame on the stream.
    private static async Task ReadUntilHeadersAsync(Stream connection, int stream)
    {
        var header = new byte[9];
        while (true)
        {
            await connection.ReadExactlyAsync(header, Ct);
            var payload = new byte[(header[0] << 16) | (header[1] << 8) | header[2]];
            await connection.ReadExactlyAsync(payload, Ct);
            var (type, flags, id) = (header[3], header[4], BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue);
            if (type == 4 && (flags & 1) == 0)
            {
                await WriteFrameAsync(connection, type: 4, flags: 1, stream: 0, []);
            }
            else if (type == 1 && id == stream)
            {
                return;
            }
        }
    }
}
