using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>What a hostile or broken client sends gets a clear status naming the rule or limit, and the server keeps serving.</summary>
public sealed class HostileInputTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task<(string? Status, string Message)> PostRawAsync(string method, byte[] message)
    {
        using var http = new HttpClient();
        return await RawGrpc.PostAsync(http, _server.GrpcAddress, method, message, token: null, Ct);
    }

    [Fact]
    public async Task Resolve_GarbageProtobuf_IsInvalidArgumentNamingTheMessageType()
    {
        var (status, message) = await PostRawAsync("/resolver.v1.Resolution/Resolve", [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);

        Assert.Equal("3", status);
        Assert.Contains("resolver.v1.ResolveRequest", message, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Resolve_InvalidUtf8InTheIdentifier_IsInvalidArgument()
    {
        // Field 1 (identifier), length 4: "88/" followed by a lone continuation byte.
        var (status, _) = await PostRawAsync("/resolver.v1.Resolution/Resolve", [0x0A, 0x04, (byte)'8', (byte)'8', (byte)'/', 0x80]);

        Assert.Equal("3", status);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task CreateRecord_GarbageProtobuf_IsInvalidArgument()
    {
        var (status, _) = await PostRawAsync("/resolver.v1.Registry/CreateRecord", [0x12, 0x7F, 0x01]);

        Assert.Equal("3", status);
    }

    [Fact]
    public async Task Resolve_OneMebibyteIdentifier_IsInvalidArgumentNamingTheByteCap()
    {
        var exception = await Assert.ThrowsAsync<RpcException>(() =>
            _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/" + new string('x', 1 << 20) }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Contains("too-many-bytes", exception.Status.Detail, StringComparison.Ordinal);
        Assert.True(exception.Status.Detail.Length < 500, "the message must not echo the megabyte back");
    }

    [Fact]
    public async Task Create_HundredThousandValues_IsInvalidArgumentNamingTheLimit()
    {
        var create = new CreateRecordRequest { Identifier = "88.168.1/MANY" };
        create.Values.AddRange(Enumerable.Range(1, 100_000).Select(i => new Value { Index = i, Type = "t", Data = new ValueData { Text = "v" } }));

        var exception = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.CreateRecordAsync(create, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Contains("at most 1000 values", exception.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_LargerThanTheMessageLimit_IsResourceExhausted()
    {
        var create = new CreateRecordRequest { Identifier = "88.168.1/BIG" };
        create.Values.Add(new Value { Type = "blob", Data = new ValueData { Binary = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) } });

        var exception = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.CreateRecordAsync(create, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, exception.StatusCode);
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData("88.168.1/'; DROP TABLE records; --")]
    [InlineData("88.168.1/\" OR 1=1 --")]
    [InlineData("88.168.1/%_\\*?[]")]
    public async Task SqlLookingIdentifiers_AreJustIdentifiers(string identifier)
    {
        await _server.RegisterAsync(identifier, "https://x");

        var result = await _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = identifier }, cancellationToken: Ct);
        var listed = await _server.Registry.ListRecordsAsync(new ListRecordsRequest { Prefix = "88.168.1" }, cancellationToken: Ct);

        Assert.Equal(identifier, result.Record.Identifier);
        Assert.Single(listed.Records);
    }

    private async Task AssertStillServingAsync()
    {
        var info = await _server.Resolution.GetServerInfoAsync(new GetServerInfoRequest(), cancellationToken: Ct);
        Assert.Equal(["88.168.1"], info.HomedPrefixes);
    }
}

/// <summary>Malformed messages on streaming calls: INVALID_ARGUMENT naming the message type, and no error-level log.</summary>
public sealed class MalformedStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/resolver.v1.Resolution/ResolveStream")]
    [InlineData("/Resolver.V1.Resolution/ResolveStream")]
    public async Task ResolveStream_FiveBytesOfGarbage_IsInvalidArgumentWithoutAnErrorLog(string path)
    {
        var logs = new RecordingLoggerProvider();
        await using var server = await TestServer.StartAsync(services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        using var http = new HttpClient();

        var (status, message) = await RawGrpc.PostAsync(http, server.GrpcAddress, path, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], token: null, Ct);

        Assert.Equal("3", status);
        Assert.Contains("resolver.v1.ResolveRequest", message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }
}
