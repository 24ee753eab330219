using Grpc.Core;
using Grpc.Net.Client;
using Resolver.Core.Records;
using Resolver.Core.Resolution;
using Resolver.Protocol.V1;
using Resolver.Server.Api;
using ValueData = Resolver.Protocol.V1.ValueData;

namespace Resolver.Server.Tests;

/// <summary>One small anonymous request never makes the server build an answer past the advertised message limit.</summary>
public sealed class AmplificationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)] // binary data and an index filter: every copy has values of its own
    public async Task BatchResolve_2000CopiesOfA64KiBRecord_AnswerFitsTheAdvertisedLimitAndNamesIt(bool binary, bool filtered)
    {
        await using var server = await TestServer.StartAsync();
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        var create = new CreateRecordRequest { Identifier = "88.168.1/BIG" };
        create.Values.Add(new Value { Type = "blob", Index = 1, Data = binary ? new ValueData { Binary = Google.Protobuf.ByteString.CopyFrom(new byte[65536]) } : new ValueData { Text = new string('x', 65536) } });
        await server.Registry.CreateRecordAsync(create, cancellationToken: Ct);
        var batch = new BatchResolveRequest();
        var request = new ResolveRequest { Identifier = "88.168.1/BIG" };
        if (filtered)
        {
            request.Indexes.Add(1);
        }

        batch.Requests.Add(Enumerable.Repeat(request, 2000));

        // A client that honours the advertised limit, as the SPEC asks clients to.
        var limit = (await server.Resolution.GetServerInfoAsync(new GetServerInfoRequest(), cancellationToken: Ct)).Limits.MaxMessageBytes;
        using var honest = GrpcChannel.ForAddress(server.GrpcAddress, new GrpcChannelOptions { MaxReceiveMessageSize = limit });
        var response = await new Resolution.ResolutionClient(honest).BatchResolveAsync(batch, cancellationToken: Ct);

        Assert.Equal(2000, response.Results.Count);
        Assert.True(response.CalculateSize() <= limit);
        var answered = response.Results.TakeWhile(r => r.Status.Code == 0).Count();
        Assert.InRange(answered, 1, limit / 65536);
        Assert.All(response.Results.Skip(answered), r =>
        {
            Assert.Equal((int)StatusCode.ResourceExhausted, r.Status.Code);
            Assert.Equal("answer-too-large", r.Status.Problem.Reason);
            Assert.Contains($"{limit}-byte message limit", r.Status.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void BoundedBatchAnswer_AtEveryLimit_NeverExceedsItAndRefusesOnlyWhatDoesNotFit()
    {
        // Refusals are sized before they are built: at every limit, byte by byte across the range where records stop
        // fitting, the answer must stay within it (an undersized refusal shows up as an answer over the limit).
        var at = DateTimeOffset.UnixEpoch;
        var outcomes = Enumerable.Range(0, 20).Select(i =>
        {
            var identifier = $"88.1/item-{new string('x', i * 7)}";
            var record = new HandleRecord(identifier, identifier, 1, [new HandleValue(1, "URL", Core.Records.ValueData.FromText(new string('u', 100 + (i * 13))), 86400, at, ValuePermissions.Default, [])], at, at);
            return i % 5 == 4 ? ResolveOutcome.Failed(identifier, new Core.Errors.Problem(Core.Errors.ErrorKind.NotFound, "identifier-not-found", "not here")) : new ResolveOutcome(identifier, record, null);
        }).ToArray();
        var answeredAtLeastOnce = false;
        for (var limit = 1500; limit < 40_000; limit++)
        {
            BatchResolveResponse response;
            try
            {
                response = BoundedBatchAnswer.Build(outcomes, limit);
            }
            catch (Core.Errors.ResolverException exception) when (exception.Problem.Reason == "answer-too-large")
            {
                continue;
            }

            Assert.True(response.CalculateSize() <= limit, $"at a limit of {limit} bytes the answer takes {response.CalculateSize()}");
            Assert.Equal(outcomes.Select(o => o.Identifier), response.Results.Select(r => r.Identifier));
            answeredAtLeastOnce |= response.Results.Any(r => r.Record is not null);
        }

        Assert.True(answeredAtLeastOnce);
    }

    [Fact]
    public void BoundedBatchAnswer_DuplicateAnswersOfARecordL1Holds_ShareOneRecordMessage()
    {
        var at = DateTimeOffset.UnixEpoch;
        var record = new HandleRecord("88.1/a", "88.1/a", 1, [new HandleValue(1, "URL", Core.Records.ValueData.FromText("https://a"), 86400, at, ValuePermissions.Default, [])], at, at);
        var response = BoundedBatchAnswer.Build([.. Enumerable.Repeat(new ResolveOutcome("88.1/a", record, null, HeldByL1: true), 2000)], 4 * 1024 * 1024);

        Assert.All(response.Results, r => Assert.Same(response.Results[0].Record, r.Record));
    }

    [Fact]
    public void BoundedBatchAnswer_ARecordL1Holds_IsAnsweredFromItsKeptEncodingByTheSecondBatch()
    {
        var at = DateTimeOffset.UnixEpoch;
        var record = new HandleRecord("88.1/d", "88.1/d", 1, [new HandleValue(1, "URL", Core.Records.ValueData.FromText("https://d"), 60, at, ValuePermissions.Default, [])], at, at);
        ResolveOutcome[] batch = [new("88.1/d", record, null, HeldByL1: true)];

        _ = BoundedBatchAnswer.Build(batch, 4 * 1024 * 1024);
        var second = BoundedBatchAnswer.Build(batch, 4 * 1024 * 1024);

        Assert.True(RecordAnswers.TryGetEncoding(second.Results[0].Record, out _));
    }

    [Fact]
    public void BoundedBatchAnswer_DuplicateAnswersOfARecordReadForThisCall_ShareOneRecordMessage_NotRemembered()
    {
        var at = DateTimeOffset.UnixEpoch;
        var record = new HandleRecord("88.1/b", "88.1/b", 1, [new HandleValue(1, "URL", Core.Records.ValueData.FromText("https://b"), 86400, at, ValuePermissions.Default, [])], at, at);
        var response = BoundedBatchAnswer.Build([.. Enumerable.Repeat(new ResolveOutcome("88.1/b", record, null), 2000)], 4 * 1024 * 1024);

        Assert.All(response.Results, r => Assert.Same(response.Results[0].Record, r.Record));
        Assert.False(RecordAnswers.TryGet(record, out _));
    }

    [Fact]
    public void BoundedBatchAnswer_ARecordResolvedAtAnotherNode_CarriesItsTrace()
    {
        var at = DateTimeOffset.UnixEpoch;
        var record = new HandleRecord("88.9/c", "88.9/c", 1, [new HandleValue(1, "URL", Core.Records.ValueData.FromText("https://c"), 60, at, ValuePermissions.Default, [])], at, at);
        Core.Resolution.Hop[] trace = [new("", "88.9", 0, false, TimeSpan.Zero), new("https://site.example:5380", "88.9", 0, false, TimeSpan.FromMilliseconds(3))];

        var response = BoundedBatchAnswer.Build([new ResolveOutcome("88.9/c", record, null, Trace: trace)], 4 * 1024 * 1024);

        Assert.NotNull(response.Results[0].Record);
        Assert.Equal(["", "https://site.example:5380"], response.Results[0].Trace.Select(h => h.Endpoint));
    }
}
