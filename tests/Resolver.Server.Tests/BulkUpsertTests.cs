using Grpc.Core;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>Registry.BulkUpsert and Registry.ExportRecords end to end.</summary>
public sealed class BulkUpsertTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync("--max-value-bytes", "100");
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static UpsertRecordRequest Upsert(string identifier, params (string Type, string Text)[] values)
    {
        var request = new UpsertRecordRequest { Identifier = identifier };
        request.Values.AddRange(values.Select(v => new Value { Type = v.Type, Data = new ValueData { Text = v.Text } }));
        return request;
    }

    /// <summary>Sends <paramref name="requests"/> on one BulkUpsert call while reading the answers.</summary>
    internal static async Task<List<UpsertRecordResult>> BulkAsync(Registry.RegistryClient registry, IEnumerable<UpsertRecordRequest> requests)
    {
        using var call = registry.BulkUpsert(cancellationToken: Ct);
        var reading = Task.Run(async () =>
        {
            var results = new List<UpsertRecordResult>();
            await foreach (var result in call.ResponseStream.ReadAllAsync(Ct))
            {
                results.Add(result);
            }

            return results;
        }, Ct);
        try
        {
            foreach (var request in requests)
            {
                await call.RequestStream.WriteAsync(request, Ct);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server refused the call before reading it all: its status comes with the answers, read next.
        }

        return await reading;
    }

    [Fact]
    public async Task BulkUpsert_NewChangedAndBadItems_AnswersEachInOrder()
    {
        await _server.RegisterAsync("88.168.1/CHANGED", "https://old");

        var results = await BulkAsync(_server.Registry,
        [
            Upsert("88.168.1/NEW", ("URL", "https://new")),
            Upsert("88.168.1/CHANGED", ("URL", "https://changed")),
            Upsert("88.168.1/RESERVED", ("HS_ADMIN", "x")),
            Upsert("88.170.9/ELSEWHERE", ("URL", "https://x")),
            Upsert("88.168.1/BIG", ("URL", new string('x', 101))),
            Upsert("88..1/BAD", ("URL", "https://x")),
        ]);

        Assert.Equal(["88.168.1/NEW", "88.168.1/CHANGED", "88.168.1/RESERVED", "88.170.9/ELSEWHERE", "88.168.1/BIG", "88..1/BAD"], results.Select(r => r.Identifier));
        Assert.Equal(
            [UpsertOutcome.Created, UpsertOutcome.Updated, UpsertOutcome.Failed, UpsertOutcome.Failed, UpsertOutcome.Failed, UpsertOutcome.Failed],
            results.Select(r => r.Outcome));
        Assert.Equal([0, 0, (int)StatusCode.InvalidArgument, (int)StatusCode.FailedPrecondition, (int)StatusCode.InvalidArgument, (int)StatusCode.InvalidArgument], results.Select(r => r.Status.Code));
        Assert.Equal(["", "", "reserved-type", "prefix-not-homed", "value-too-large", "empty-segment"], results.Select(r => r.Status.Problem?.Reason ?? ""));
        Assert.Equal([1L, 2L], results.Take(2).Select(r => r.Version));
        var changed = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/CHANGED" }, cancellationToken: Ct);
        Assert.Equal("https://changed", Assert.Single(changed.Values).Data.Text);
        await Assert.ThrowsAsync<RpcException>(() => _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/RESERVED" }, cancellationToken: Ct).ResponseAsync);
    }

    [Fact]
    public async Task BulkUpsert_SameRecordsAgain_AreUnchangedAndKeepTheirVersionAndTimestamps()
    {
        var records = Enumerable.Range(0, 1200).Select(i => Upsert($"88.168.1/R{i}", ("URL", $"https://r/{i}"), ("EMAIL", $"r{i}@example.com"))).ToList();
        await BulkAsync(_server.Registry, records);
        var before = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/R7" }, cancellationToken: Ct);

        var again = await BulkAsync(_server.Registry, records);

        Assert.Equal(1200, again.Count);
        Assert.All(again, r => Assert.Equal(UpsertOutcome.Unchanged, r.Outcome));
        Assert.All(again, r => Assert.Equal(1, r.Version));
        Assert.Equal(before, await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/R7" }, cancellationToken: Ct));
    }

    [Fact]
    public async Task BulkUpsert_OneValueChanged_UpdatesAndKeepsTheOtherValuesTimestamp()
    {
        await BulkAsync(_server.Registry, [Upsert("88.168.1/T", ("URL", "https://a"), ("EMAIL", "a@example.com"))]);
        var before = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/T" }, cancellationToken: Ct);

        var result = Assert.Single(await BulkAsync(_server.Registry, [Upsert("88.168.1/T", ("URL", "https://a"), ("EMAIL", "b@example.com"))]));

        var after = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/T" }, cancellationToken: Ct);
        Assert.Equal(UpsertOutcome.Updated, result.Outcome);
        Assert.Equal(2, after.Version);
        Assert.Equal(before.Values[0], after.Values[0]);
        Assert.Equal("b@example.com", after.Values[1].Data.Text);
    }

    [Fact]
    public async Task BulkUpsert_SameIdentifierTwiceInOneCall_TheLaterWins()
    {
        var results = await BulkAsync(_server.Registry, [Upsert("88.168.1/TWICE", ("URL", "https://1")), Upsert("88.168.1/twice", ("URL", "https://2"))]);

        Assert.Equal([UpsertOutcome.Created, UpsertOutcome.Updated], results.Select(r => r.Outcome));
        var record = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/TWICE" }, cancellationToken: Ct);
        Assert.Equal("https://2", Assert.Single(record.Values).Data.Text);
    }

    [Fact]
    public async Task BulkUpsert_LargeRecords_AreCommittedInTransactionsOfAtMost16MiBAndEveryOneLands()
    {
        // 12 records of 2.5 MB (30 MB) from one enterprise: a chunk of 500 records would commit them all in one transaction.
        await using var server = await TestServer.StartAsync("--max-value-bytes", "3000000");
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        var records = Enumerable.Range(0, 12).Select(i => Upsert($"88.168.1/LARGE{i:D2}", ("URL", new string((char)('a' + i), 2_500_000)))).ToList();
        var perTransaction = (int)(Api.BulkReadAhead.ChunkBytes / records[0].CalculateSize());

        var results = await BulkAsync(server.Registry, records);

        Assert.Equal(records.Select(r => (r.Identifier, UpsertOutcome.Created)), results.Select(r => (r.Identifier, r.Outcome)));
        var stored = new List<Protocol.V1.Record>();
        foreach (var record in records)
        {
            stored.Add(await server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = record.Identifier }, cancellationToken: Ct));
        }

        Assert.All(stored.Zip(records), pair => Assert.Equal(pair.Second.Values[0].Data.Text, Assert.Single(pair.First.Values).Data.Text));
        // A transaction stamps its records with one time; records committed apart have different times.
        var transactions = stored.GroupBy(r => r.UpdatedAt).Select(g => g.Count()).ToList();
        Assert.True(transactions.Count >= (records.Count + perTransaction - 1) / perTransaction, $"transactions of {string.Join(", ", transactions)} records");
        Assert.All(transactions, count => Assert.InRange(count, 1, perTransaction));
    }

    [Fact]
    public async Task BulkUpsert_Anonymous_IsRefusedWholeAndAuditedOnce()
    {
        var anonymous = new Registry.RegistryClient(_server.As(null));

        var refused = await Assert.ThrowsAsync<RpcException>(() => BulkAsync(anonymous, [Upsert("88.168.1/ANON-1", ("URL", "https://1")), Upsert("88.168.1/ANON-2", ("URL", "https://2"))]));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        var audit = (await _server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 50 }, cancellationToken: Ct)).Entries.Where(e => e.Target.StartsWith("88.168.1/ANON", StringComparison.Ordinal));
        Assert.Equal([("anonymous", "upsert", "88.168.1/ANON-1", "UNAUTHENTICATED")], audit.Select(e => (e.Actor, e.Operation, e.Target, e.Outcome)));
    }

    [Fact]
    public async Task BulkUpsert_DeletedIdentifier_FailsWithoutReuseAndIsRegisteredWithIt()
    {
        await _server.RegisterAsync("88.168.1/GONE", "https://old");
        await _server.Registry.DeleteRecordAsync(new DeleteRecordRequest { Identifier = "88.168.1/GONE" }, cancellationToken: Ct);

        var refused = Assert.Single(await BulkAsync(_server.Registry, [Upsert("88.168.1/GONE", ("URL", "https://new"))]));
        var reused = Upsert("88.168.1/GONE", ("URL", "https://new"));
        reused.ReuseDeleted = true;
        var accepted = Assert.Single(await BulkAsync(_server.Registry, [reused]));

        Assert.Equal(("identifier-deleted-reuse-required", UpsertOutcome.Failed), (refused.Status.Problem.Reason, refused.Outcome));
        Assert.Equal((UpsertOutcome.Created, 3L), (accepted.Outcome, accepted.Version));
    }

    [Fact]
    public async Task ExportRecords_Prefix_StreamsEveryLiveRecordUnderItInOrderAcrossPages()
    {
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.169" }, cancellationToken: Ct);
        await BulkAsync(_server.Registry, Enumerable.Range(0, 1100).Select(i => Upsert($"88.168.1/E{i:D5}", ("URL", $"https://e/{i}"))));
        await BulkAsync(_server.Registry, [Upsert("88.168.1.7/SUB", ("URL", "https://sub")), Upsert("88.169/OTHER", ("URL", "https://other"))]);
        await _server.Registry.DeleteRecordAsync(new DeleteRecordRequest { Identifier = "88.168.1/E00005" }, cancellationToken: Ct);

        using var call = _server.Registry.ExportRecords(new ExportRecordsRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        var exported = new List<string>();
        await foreach (var record in call.ResponseStream.ReadAllAsync(Ct))
        {
            exported.Add(record.Identifier);
        }

        // Canonical (byte) order: '.' sorts before '/', so the sub-prefix comes first.
        var expected = Enumerable.Range(0, 1100).Where(i => i != 5).Select(i => $"88.168.1/E{i:D5}").Prepend("88.168.1.7/SUB").ToList();
        Assert.Equal(expected, exported);
    }
}
