using System.Text;
using Grpc.Core;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// Thousands of generated hostile inputs against the gRPC entry points, from a fixed seed (override with
/// RESOLVER_FUZZ_SEED to explore; a failure names the seed and the input). Every answer must be a
/// deliberate status with a message for people — never INTERNAL, UNKNOWN or exception text — and the
/// server must keep serving.
/// </summary>
public sealed class FuzzTests : IAsyncLifetime
{
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("RESOLVER_FUZZ_SEED"), out var seed) ? seed : 20261129;
    private static readonly char[] Alphabet = "88.168.1/ABCabc-_.//..  \t\n\0\u007F\u200B\u202E\uFEFF\u00E9\u0301\u4EA7😀%'\";\\[]{}<>".ToCharArray();
    private static readonly StatusCode[] Deliberate = [StatusCode.OK, StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.AlreadyExists, StatusCode.FailedPrecondition, StatusCode.ResourceExhausted];

    private readonly Random _random = new(Seed);
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task BatchResolve_ThousandsOfGeneratedIdentifiers_EachGetADeliberateStatus()
    {
        for (var round = 0; round < 3; round++)
        {
            var batch = new BatchResolveRequest();
            batch.Requests.AddRange(Enumerable.Range(0, 1000).Select(_ => new ResolveRequest { Identifier = Identifier() }));

            var response = await _server.Resolution.BatchResolveAsync(batch, cancellationToken: Ct);

            // Protobuf carries UTF-8: a lone surrogate the generator made arrives as U+FFFD.
            Assert.Equal(batch.Requests.Select(r => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(r.Identifier))), response.Results.Select(r => r.Identifier));
            foreach (var result in response.Results)
            {
                AssertDeliberate((StatusCode)result.Status.Code, result.Status.Message, result.Identifier);
            }
        }
    }

    [Fact]
    public async Task UnaryCalls_GeneratedIdentifiersAndValues_EachGetADeliberateStatus()
    {
        for (var i = 0; i < 300; i++)
        {
            var identifier = i % 3 == 0 ? "88.168.1/" + Identifier() : Identifier();
            var create = new CreateRecordRequest { Identifier = identifier };
            create.Values.Add(new Value { Index = _random.Next(-2, 4), Type = Text(0, 12), Data = new ValueData { Text = Text(0, 40) }, Ttl = _random.Next(-5, 100) });

            AssertDeliberate(await StatusOfAsync(() => _server.Registry.CreateRecordAsync(create, cancellationToken: Ct).ResponseAsync), identifier);
            AssertDeliberate(await StatusOfAsync(() => _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = identifier }, cancellationToken: Ct).ResponseAsync), identifier);
        }

        Assert.NotEmpty((await _server.Resolution.GetServerInfoAsync(new GetServerInfoRequest(), cancellationToken: Ct)).Version);
    }

    [Fact]
    public async Task RawFrames_RandomBytes_AreInvalidArgumentOrAnsweredNeverUnknown()
    {
        using var http = new HttpClient();
        string[] methods = ["/resolver.v1.Resolution/Resolve", "/resolver.v1.Resolution/BatchResolve", "/resolver.v1.Registry/CreateRecord", "/resolver.v1.Admin/HomePrefix"];
        for (var i = 0; i < 400; i++)
        {
            var body = new byte[_random.Next(0, 48)];
            _random.NextBytes(body);
            var method = methods[i % methods.Length];

            var (status, message) = await PostRawAsync(http, method, body);

            Assert.True(status is "0" or "3" or "5" or "7" or "16", $"seed {Seed}: {method} with {Convert.ToHexString(body)} answered {status}: {message}");
            Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        }

        Assert.NotEmpty((await _server.Resolution.GetServerInfoAsync(new GetServerInfoRequest(), cancellationToken: Ct)).Version);
    }

    private static void AssertDeliberate((StatusCode Code, string Message) status, string input) => AssertDeliberate(status.Code, status.Message, input);

    private static void AssertDeliberate(StatusCode code, string message, string input)
    {
        var shown = Convert.ToHexString(Encoding.UTF8.GetBytes(input.Length > 64 ? input[..64] : input));
        Assert.True(Deliberate.Contains(code), $"seed {Seed}: input (UTF-8 hex) {shown} answered {code}: {message}");
        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
    }

    private static async Task<(StatusCode, string)> StatusOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return (StatusCode.OK, "");
        }
        catch (RpcException exception)
        {
            return (exception.StatusCode, exception.Status.Detail);
        }
    }

    private string Identifier() => _random.Next(20) switch
    {
        0 => new string('x', _random.Next(250, 3000)),
        1 => "88.168.1/" + Text(1, 10) + (char)_random.Next(0xD800, 0xE000),
        _ => Text(0, 40),
    };

    private string Text(int min, int max) => new([.. Enumerable.Range(0, _random.Next(min, max)).Select(_ => Alphabet[_random.Next(Alphabet.Length)])]);

    private Task<(string? Status, string Message)> PostRawAsync(HttpClient http, string method, byte[] message) =>
        RawGrpc.PostAsync(http, _server.GrpcAddress, method, message, TestServer.AdminToken, Ct);
}
