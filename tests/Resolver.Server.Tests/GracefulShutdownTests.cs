using Grpc.Core;
using Grpc.Net.Client;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// SIGTERM to a real server process with calls in flight (held in the store by a frozen PostgreSQL, so they are
/// certainly accepted before the signal): every accepted call completes with an answer, an open stream keeps being
/// answered, new connections are refused, and the process exits 0 by itself within its drain bound.
/// </summary>
[Collection(MetricsScrapes.Name)]
public sealed class GracefulShutdownTests : IAsyncLifetime
{
    private PostgresServer _postgres = null!;
    private ServerProcess _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _postgres = await PostgresServer.StartAsync(Ct);

    private async Task StartServerAsync(int drainSeconds)
    {
        _server = await ServerProcess.StartAsync("--store", "postgres:" + await _postgres.CreateSchemaAsync(Ct), "--drain-seconds", drainSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        var create = new CreateRecordRequest { Identifier = "88.168.1/HOT" };
        create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://example.com/hot" } });
        await _server.Registry.CreateRecordAsync(create, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Sigterm_WithCallsInFlight_CompletesEveryAcceptedCallAndExitsZero()
    {
        const int DrainSeconds = 20; // far above the few seconds the store stays frozen, on a loaded machine too
        await StartServerAsync(DrainSeconds);

        // A stream opened before the signal, and twenty unary calls held in the (frozen) store when it comes.
        using var stream = _server.Resolution.ResolveStream(cancellationToken: Ct);
        await stream.RequestStream.WriteAsync(new ResolveRequest { Identifier = "88.168.1/HOT" }, Ct);
        Assert.True(await stream.ResponseStream.MoveNext(Ct));

        await _postgres.FreezeAsync(Ct);
        var held = Enumerable.Range(0, 20)
            .Select(i => _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = $"88.168.1/COLD-{i}" }, cancellationToken: Ct).ResponseAsync)
            .ToArray();
        await WaitForCallsInFlightAsync(_server, 20 + 1);

        _server.Terminate();

        // New connections are refused once the node stops listening.
        await Eventually.TrueAsync(async () =>
        {
            using var fresh = GrpcChannel.ForAddress(_server.GrpcAddress);
            try
            {
                await new Resolution.ResolutionClient(fresh).GetServerInfoAsync(new GetServerInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(1), cancellationToken: Ct);
                return false;
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                return true;
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.Internal && exception.Status.DebugException is HttpRequestException)
            {
                return false; // a connection accepted just before the listener closed, then told to go away: ask again
            }
        }, TimeSpan.FromSeconds(5), "the node still took new connections after SIGTERM");

        // The stream opened before the signal is still answered (from L1) while the node drains.
        await stream.RequestStream.WriteAsync(new ResolveRequest { Identifier = "88.168.1/HOT" }, Ct);
        Assert.True(await stream.ResponseStream.MoveNext(Ct));
        Assert.Equal("https://example.com/hot", stream.ResponseStream.Current.Record.Values[0].Data.Text);
        await stream.RequestStream.CompleteAsync();
        Assert.False(await stream.ResponseStream.MoveNext(Ct));

        // The store comes back: every call accepted before the signal gets the node's answer (not found, or the
        // store's own UNAVAILABLE if its connection timed out while frozen), each with its problem trailer; none is cut.
        await _postgres.ThawAsync(Ct);
        foreach (var call in held)
        {
            var failure = await Assert.ThrowsAsync<RpcException>(() => call);
            Assert.True(failure.Trailers.Get(Api.ProblemMetadata.TrailerKey) is not null, $"a call accepted before SIGTERM was cut: {failure.Status}");
        }

        Assert.Equal(0, await _server.ExitCodeAsync(TimeSpan.FromSeconds(DrainSeconds + 5)));
    }

    [Fact]
    public async Task Sigterm_WithAStreamThatStaysOpen_EndsItUnavailableBeforeTheDrainBound()
    {
        const int DrainSeconds = 3;
        await StartServerAsync(DrainSeconds);

        using var stream = _server.Resolution.ResolveStream(cancellationToken: Ct);
        await stream.RequestStream.WriteAsync(new ResolveRequest { Identifier = "88.168.1/HOT" }, Ct);
        Assert.True(await stream.ResponseStream.MoveNext(Ct));

        _server.Terminate();

        // The client never says it is done; the node ends the stream with a status a client retries elsewhere.
        var ended = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(Ct));
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Contains("shutting down", ended.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await _server.ExitCodeAsync(TimeSpan.FromSeconds(DrainSeconds + 5)));
    }

    // Waits until the node has accepted the held calls: ASP.NET Core's own gauge counts them in flight.
    private static Task WaitForCallsInFlightAsync(ServerProcess server, int expected) =>
        Eventually.TrueAsync(
            async () => (await PrometheusScrape.ReadAsync(server.HttpAddress, Ct)).Sum("http_server_active_requests", "http_request_method=POST") >= expected,
            TimeSpan.FromSeconds(10),
            $"the node never had {expected} calls in flight");
}
