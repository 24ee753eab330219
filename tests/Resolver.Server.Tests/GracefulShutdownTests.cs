using System.Diagnostics;
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
    private string _store = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _postgres = await PostgresServer.StartAsync(Ct);

    private async Task StartServerAsync(int drainSeconds)
    {
        _store = "postgres:" + await _postgres.CreateSchemaAsync(Ct);
        _server = await ServerProcess.StartAsync("--store", _store, "--drain-seconds", drainSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
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

    [Fact]
    public async Task Sigterm_WithAnExportWhoseClientStoppedReading_EndsBeforeTheDrainBoundExitsZeroAndWritesTheRefusedCredentialCounts()
    {
        const int DrainSeconds = 4;
        await StartServerAsync(DrainSeconds);
        var text = new string('x', 60_000);
        for (var i = 0; i < 40; i++)
        {
            var create = new CreateRecordRequest { Identifier = $"88.168.1/BIG-{i:D2}" };
            create.Values.Add(new Value { Type = "note", Data = new ValueData { Text = text } });
            await _server.Registry.CreateRecordAsync(create, cancellationToken: Ct);
        }

        // Refused credentials, counted for the audit flush at shutdown.
        var bogus = new Metadata { { "authorization", "Bearer bogus" } };
        for (var i = 0; i < 3; i++)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.DeleteRecordAsync(new DeleteRecordRequest { Identifier = "88.168.1/HOT" }, bogus, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        }

        // 2.4 MB to export; the client reads one record and no more, so the node's writes wait on HTTP/2 flow control.
        using var export = _server.Registry.ExportRecords(new ExportRecordsRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        Assert.True(await export.ResponseStream.MoveNext(Ct));
        var stopping = Stopwatch.StartNew();

        _server.Terminate();

        var exitCode = await _server.ExitCodeAsync(TimeSpan.FromSeconds(DrainSeconds + 10));
        var took = stopping.Elapsed;
        Assert.True(exitCode == 0, $"exit code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (still running)"} after {took}:\n{_server.Output}");
        Assert.DoesNotContain("Unhandled exception", _server.Output, StringComparison.Ordinal);
        // Streams end at drain - 1 s, so the node is gone before the bound; a write left waiting on the client held it
        // until Kestrel gave up at the bound.
        Assert.True(took < TimeSpan.FromSeconds(DrainSeconds), $"the node took {took} to stop with a drain bound of {DrainSeconds} s:\n{_server.Output}");

        // The counts reached the audit log: a node on the same store lists them.
        await _server.DisposeAsync();
        _server = await ServerProcess.StartAsync("--store", _store);
        var audit = await _server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 100 }, cancellationToken: Ct);
        Assert.Contains(audit.Entries, e => e.Outcome == "UNAUTHENTICATED" && e.Target.StartsWith("(invalid credential ×3 ", StringComparison.Ordinal));
    }

    // Waits until the node has accepted the held calls: ASP.NET Core's own gauge counts them in flight.
    private static Task WaitForCallsInFlightAsync(ServerProcess server, int expected) =>
        Eventually.TrueAsync(
            async () => (await PrometheusScrape.ReadAsync(server.HttpAddress, Ct)).Sum("http_server_active_requests", "http_request_method=POST") >= expected,
            TimeSpan.FromSeconds(10),
            $"the node never had {expected} calls in flight");
}
