using Grpc.Core;
using Resolver.Protocol.V1;
using Resolver.Server.Api;

namespace Resolver.Server.Tests;

public sealed class ResolutionTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await _server.RegisterAsync("88.168.1/ABC-001", "https://example.com/abc-001");
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Resolve_AnyAsciiCase_ReturnsTheRecordAsRegistered()
    {
        var result = await _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/abc-001" }, cancellationToken: Ct);

        Assert.Equal("88.168.1/abc-001", result.Identifier);
        Assert.Equal(0, result.Status.Code);
        Assert.Equal("88.168.1/ABC-001", result.Record.Identifier);
        var value = Assert.Single(result.Record.Values);
        Assert.Equal(("URL", "https://example.com/abc-001", 1), (value.Type, value.Data.Text, value.Index));
        Assert.True(value.Permissions.PublicRead);
    }

    [Fact]
    public async Task Resolve_Malformed_IsInvalidArgumentNamingRuleAndPosition()
    {
        var exception = await Assert.ThrowsAsync<RpcException>(() => _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88..1/x" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Contains("empty-segment", exception.Status.Detail, StringComparison.Ordinal);
        var problem = Problem.Parser.ParseFrom(exception.Trailers.GetValueBytes(ProblemMetadata.TrailerKey));
        Assert.Equal(("empty-segment", 3), (problem.Reason, problem.Position));
    }

    [Fact]
    public async Task Resolve_MissingIdentifierAndUnknownPrefix_AreDifferentNotFounds()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/NOPE" }, cancellationToken: Ct).ResponseAsync);
        var unhomed = await Assert.ThrowsAsync<RpcException>(() => _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.999/X" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(StatusCode.NotFound, unhomed.StatusCode);
        Assert.Equal("identifier-not-found", Problem.Parser.ParseFrom(missing.Trailers.GetValueBytes(ProblemMetadata.TrailerKey)).Reason);
        Assert.Equal("prefix-not-homed", Problem.Parser.ParseFrom(unhomed.Trailers.GetValueBytes(ProblemMetadata.TrailerKey)).Reason);
        Assert.Contains("prefix 88.999 is not homed", unhomed.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_Deleted_IsNotFoundSayingWhen()
    {
        var deleted = await _server.Registry.DeleteRecordAsync(new DeleteRecordRequest { Identifier = "88.168.1/ABC-001" }, cancellationToken: Ct);

        var exception = await Assert.ThrowsAsync<RpcException>(() => _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/ABC-001" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, exception.StatusCode);
        var problem = Problem.Parser.ParseFrom(exception.Trailers.GetValueBytes(ProblemMetadata.TrailerKey));
        Assert.Equal("identifier-deleted", problem.Reason);
        Assert.Equal(deleted.DeletedAt, problem.DeletedAt);
    }

    [Fact]
    public async Task Resolve_TypeAndIndexFilters_ReturnMatchingValuesOnly()
    {
        var update = new UpdateRecordRequest { Identifier = "88.168.1/ABC-001" };
        update.Values.Add(new Value { Index = 2, Type = "URL.pdf", Data = new ValueData { Text = "https://example.com/a.pdf" } });
        update.Values.Add(new Value { Index = 3, Type = "batch", Data = new ValueData { Text = "B-7" } });
        update.Values.Add(new Value { Index = 4, Type = "EMAIL", Data = new ValueData { Text = "ops@example.com" } });
        await _server.Registry.UpdateRecordAsync(update, cancellationToken: Ct);

        var request = new ResolveRequest { Identifier = "88.168.1/ABC-001" };
        request.Types_.Add("url.");
        request.Indexes.Add(4);
        var result = await _server.Resolution.ResolveAsync(request, cancellationToken: Ct);

        Assert.Equal([1, 2, 4], result.Record.Values.Select(v => v.Index));
    }

    [Fact]
    public async Task BatchResolve_2000MixedIdentifiers_Answers2000InOrderEachWithItsOwnStatus()
    {
        var request = new BatchResolveRequest();
        var expected = new List<(string Identifier, int Code)>();
        for (var i = 0; i < 2000; i++)
        {
            var (identifier, code) = (i % 4) switch
            {
                0 => ("88.168.1/ABC-001", 0),
                1 => ($"88.168.1/MISSING-{i}", (int)StatusCode.NotFound),
                2 => ($"88..{i}/bad", (int)StatusCode.InvalidArgument),
                _ => ($"77.{i}/elsewhere", (int)StatusCode.NotFound),
            };
            request.Requests.Add(new ResolveRequest { Identifier = identifier });
            expected.Add((identifier, code));
        }

        var response = await _server.Resolution.BatchResolveAsync(request, cancellationToken: Ct);

        Assert.Equal(expected, response.Results.Select(r => (r.Identifier, r.Status.Code)));
        Assert.All(response.Results.Where(r => r.Status.Code == 0), r => Assert.Equal("88.168.1/ABC-001", r.Record.Identifier));
        Assert.All(response.Results.Where(r => r.Status.Code == (int)StatusCode.InvalidArgument), r => Assert.Equal("empty-segment", r.Status.Problem.Reason));
        Assert.All(response.Results.Where(r => r.Status.Code != 0), r => Assert.Null(r.Record));
    }

    [Fact]
    public async Task BatchResolve_2001Identifiers_IsInvalidArgument()
    {
        var request = new BatchResolveRequest();
        request.Requests.AddRange(Enumerable.Range(0, 2001).Select(i => new ResolveRequest { Identifier = $"88.168.1/{i}" }));

        var exception = await Assert.ThrowsAsync<RpcException>(() => _server.Resolution.BatchResolveAsync(request, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Contains("2000", exception.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveStream_AnswersEveryRequestOnceInRequestOrder()
    {
        string[] identifiers = ["88.168.1/ABC-001", "bad", "88.168.1/missing", "88.168.1/abc-001", "", "88.168.1/ABC-001"];
        using var call = _server.Resolution.ResolveStream(cancellationToken: Ct);

        var reading = Task.Run(async () =>
        {
            var answers = new List<ResolveResult>();
            await foreach (var answer in call.ResponseStream.ReadAllAsync(Ct))
            {
                answers.Add(answer);
            }

            return answers;
        }, Ct);
        foreach (var identifier in identifiers)
        {
            await call.RequestStream.WriteAsync(new ResolveRequest { Identifier = identifier }, Ct);
        }

        await call.RequestStream.CompleteAsync();
        var results = await reading;

        Assert.Equal(identifiers, results.Select(r => r.Identifier));
        Assert.Equal([0, 3, 5, 0, 3, 0], results.Select(r => r.Status.Code));
    }

    [Fact]
    public async Task ResolveStream_ManyRequestsSentAtOnce_AnsweredInGroupsYetEachOnceInRequestOrder()
    {
        // More requests than one group answers, all sent before any answer is read: the server reads ahead and answers
        // what has arrived together, which must not reorder, merge or drop answers.
        var identifiers = Enumerable.Range(0, 257).Select(i => (i % 3) switch
        {
            0 => "88.168.1/ABC-001",
            1 => $"88.168.1/missing-{i}",
            _ => "bad",
        }).ToArray();
        using var call = _server.Resolution.ResolveStream(cancellationToken: Ct);
        foreach (var identifier in identifiers)
        {
            await call.RequestStream.WriteAsync(new ResolveRequest { Identifier = identifier }, Ct);
        }

        await call.RequestStream.CompleteAsync();
        var results = new List<ResolveResult>();
        await foreach (var answer in call.ResponseStream.ReadAllAsync(Ct))
        {
            results.Add(answer);
        }

        Assert.Equal(identifiers, results.Select(r => r.Identifier));
        Assert.Equal(identifiers.Select((_, i) => (i % 3) switch { 0 => 0, 1 => 5, _ => 3 }), results.Select(r => r.Status.Code));
        Assert.All(results.Where(r => r.Status.Code == 0), r => Assert.Equal("88.168.1/ABC-001", r.Record.Identifier));
    }

    [Fact]
    public async Task GetServerInfo_ReportsVersionHomedPrefixesAndLimits()
    {
        var info = await _server.Resolution.GetServerInfoAsync(new GetServerInfoRequest(), cancellationToken: Ct);

        Assert.False(string.IsNullOrEmpty(info.Version));
        Assert.Equal(["88.168.1"], info.HomedPrefixes);
        Assert.Equal(2000, info.Limits.MaxBatchSize);
        Assert.Equal(255, info.Limits.MaxIdentifierLength);
        Assert.Equal(2048, info.Limits.MaxIdentifierBytes);
    }

    [Fact]
    public async Task Resolve_AfterRestart_ReturnsThePersistedRecord()
    {
        await _server.StopAsync();
        await _server.StartAgainAsync();

        var result = await _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/ABC-001" }, cancellationToken: Ct);

        Assert.Equal("https://example.com/abc-001", result.Record.Values[0].Data.Text);
    }
}
