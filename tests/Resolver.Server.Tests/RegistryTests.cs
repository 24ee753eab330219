using Grpc.Core;
using Resolver.Protocol.V1;
using Record = Resolver.Protocol.V1.Record;
using Resolver.Server.Api;

namespace Resolver.Server.Tests;

public sealed class RegistryTests : IAsyncLifetime
{
    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private static Value Text(string type, string text, int index = 0) => new() { Index = index, Type = type, Data = new ValueData { Text = text } };

    private async Task<Record> CreateAsync(string identifier, params Value[] values)
    {
        var request = new CreateRecordRequest { Identifier = identifier };
        request.Values.AddRange(values);
        return await _server.Registry.CreateRecordAsync(request, cancellationToken: Ct);
    }

    private static string Reason(RpcException exception) =>
        Problem.Parser.ParseFrom(exception.Trailers.GetValueBytes(ProblemMetadata.TrailerKey)).Reason;

    [Fact]
    public async Task Create_UnderPrefixNotHomed_IsFailedPreconditionNamingThePrefix()
    {
        var exception = await Assert.ThrowsAsync<RpcException>(() => CreateAsync("88.170.2/X", Text("URL", "u")));

        Assert.Equal(StatusCode.FailedPrecondition, exception.StatusCode);
        Assert.Contains("88.170.2", exception.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("prefix-not-homed", Reason(exception));
    }

    [Fact]
    public async Task Get_UnderPrefixNotHomed_IsNotFoundSayingThePrefixIsNotHomed()
    {
        var exception = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.170.2/X" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, exception.StatusCode);
        Assert.Equal("prefix-not-homed", Reason(exception)); // not "identifier-not-found": unknown prefix is not unknown identifier (SPEC §4)
    }

    [Fact]
    public async Task Create_UnderSubPrefixOfHomedPrefix_Succeeds()
    {
        var record = await CreateAsync("88.168.1.7/X", Text("URL", "u"));
        Assert.Equal(1, record.Version);
    }

    [Fact]
    public async Task Create_ExistingIdentifierInAnyCase_IsAlreadyExists()
    {
        await CreateAsync("88.168.1/X-1", Text("URL", "u"));

        var exception = await Assert.ThrowsAsync<RpcException>(() => CreateAsync("88.168.1/x-1", Text("URL", "v")));

        Assert.Equal(StatusCode.AlreadyExists, exception.StatusCode);
    }

    [Fact]
    public async Task Create_DeletedIdentifier_NeedsReuseAndContinuesTheVersion()
    {
        await CreateAsync("88.168.1/X", Text("URL", "u"));
        var deleted = await _server.Registry.DeleteRecordAsync(new DeleteRecordRequest { Identifier = "88.168.1/X" }, cancellationToken: Ct);

        var refused = await Assert.ThrowsAsync<RpcException>(() => CreateAsync("88.168.1/X", Text("URL", "again")));
        var request = new CreateRecordRequest { Identifier = "88.168.1/X", ReuseDeleted = true };
        request.Values.Add(Text("URL", "again"));
        var reused = await _server.Registry.CreateRecordAsync(request, cancellationToken: Ct);

        Assert.Equal(StatusCode.AlreadyExists, refused.StatusCode);
        Assert.Equal("identifier-deleted-reuse-required", Reason(refused));
        Assert.Equal(2, deleted.Version);
        Assert.Equal(3, reused.Version);
    }

    [Fact]
    public async Task Update_ValueWithoutIndex_ReplacesTheLowestOfItsTypeKeepingItsTtl()
    {
        var first = Text("URL", "old");
        first.Ttl = 60;
        await CreateAsync("88.168.1/X", first, Text("EMAIL", "e"));

        var update = new UpdateRecordRequest { Identifier = "88.168.1/X" };
        update.Values.Add(Text("URL", "new"));
        var updated = await _server.Registry.UpdateRecordAsync(update, cancellationToken: Ct);

        Assert.Equal(2, updated.Version);
        Assert.Equal([(1, "URL", "new", 60), (2, "EMAIL", "e", 86400)], updated.Values.Select(v => (v.Index, v.Type, v.Data.Text, v.Ttl)));
    }

    [Fact]
    public async Task Update_StaleExpectedVersion_IsAbortedAndChangesNothing()
    {
        await CreateAsync("88.168.1/X", Text("URL", "u"));
        var update = new UpdateRecordRequest { Identifier = "88.168.1/X", ExpectedVersion = 7 };
        update.Values.Add(Text("URL", "lost"));

        var exception = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.UpdateRecordAsync(update, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Aborted, exception.StatusCode);
        Assert.Equal("version-mismatch", Reason(exception));
        var record = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/X" }, cancellationToken: Ct);
        Assert.Equal((1L, "u"), (record.Version, record.Values[0].Data.Text));
    }

    [Fact]
    public async Task Update_RemoveMissingIndex_IsNotFound()
    {
        await CreateAsync("88.168.1/X", Text("URL", "u"));
        var update = new UpdateRecordRequest { Identifier = "88.168.1/X" };
        update.RemoveIndexes.Add(9);

        var exception = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.UpdateRecordAsync(update, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, exception.StatusCode);
    }

    [Fact]
    public async Task Update_ConcurrentWritersWithoutExpectedVersion_AllLandWithoutLosingAny()
    {
        await CreateAsync("88.168.1/X", Text("URL", "u"));

        await Task.WhenAll(Enumerable.Range(1, 20).Select(async i =>
        {
            var update = new UpdateRecordRequest { Identifier = "88.168.1/X" };
            update.Values.Add(Text($"t{i}", $"v{i}"));
            await _server.Registry.UpdateRecordAsync(update, cancellationToken: Ct);
        }));

        var record = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/X" }, cancellationToken: Ct);
        Assert.Equal(21, record.Version);
        Assert.Equal(21, record.Values.Count);
    }

    [Fact]
    public async Task Create_ValueWithoutData_IsInvalidArgument()
    {
        var exception = await Assert.ThrowsAsync<RpcException>(() => CreateAsync("88.168.1/X", new Value { Type = "URL" }));
        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Contains("no data", exception.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_PagesThroughLiveRecordsUnderThePrefix()
    {
        foreach (var i in Enumerable.Range(0, 5))
        {
            await CreateAsync($"88.168.1/R{i}", Text("URL", "u"));
        }

        await _server.Registry.DeleteRecordAsync(new DeleteRecordRequest { Identifier = "88.168.1/R2" }, cancellationToken: Ct);
        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await _server.Registry.ListRecordsAsync(new ListRecordsRequest { Prefix = "88.168", PageSize = 2, PageToken = token }, cancellationToken: Ct);
            seen.AddRange(page.Records.Select(r => r.Identifier));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(["88.168.1/R0", "88.168.1/R1", "88.168.1/R3", "88.168.1/R4"], seen);
        Assert.Equal(2, pages);
    }

    [Fact]
    public async Task List_ForgedPageToken_IsInvalidArgument()
    {
        var exception = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.ListRecordsAsync(new ListRecordsRequest { Prefix = "88", PageToken = "!!" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
    }

    [Fact]
    public async Task HomePrefix_Twice_IsIdempotent()
    {
        var again = await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        var invalid = await Assert.ThrowsAsync<RpcException>(() => _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88..1" }, cancellationToken: Ct).ResponseAsync);

        Assert.False(again.Created);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Single((await _server.Admin.ListPrefixesAsync(new ListPrefixesRequest(), cancellationToken: Ct)).Prefixes);
    }
}
