using Grpc.Core;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>No record grows past what a client honouring the advertised message limit can read (SPEC §8).</summary>
public sealed class RecordLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateRecord_OneValueWith15000References_IsValueTooLarge()
    {
        await using var server = await TestServer.StartAsync();
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        var create = new CreateRecordRequest { Identifier = "88.168.1/REFS" };
        var value = new Value { Type = "refs", Data = new ValueData { Text = "x" } };
        value.References.Add(Enumerable.Range(0, 15_000).Select(i => new Reference { Identifier = $"88.168.1/PART-{i:D6}", Index = 1 }));
        create.Values.Add(value);

        var exception = await Assert.ThrowsAsync<RpcException>(() => server.Registry.CreateRecordAsync(create, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Contains("15000 references", exception.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("--max-value-bytes", exception.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateRecord_GrowingPastTheMessageLimit_IsRefusedNamingItAndChangesNothing()
    {
        await using var server = await TestServer.StartAsync("--max-message-bytes", "65536");
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        var create = new CreateRecordRequest { Identifier = "88.168.1/GROW" };
        create.Values.Add(new Value { Type = "part1", Data = new ValueData { Text = new string('a', 40_000) } });
        var created = await server.Registry.CreateRecordAsync(create, cancellationToken: Ct);
        var update = new UpdateRecordRequest { Identifier = "88.168.1/GROW" };
        update.Values.Add(new Value { Type = "part2", Data = new ValueData { Text = new string('b', 40_000) } });

        var exception = await Assert.ThrowsAsync<RpcException>(() => server.Registry.UpdateRecordAsync(update, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, exception.StatusCode);
        Assert.Contains("max_message_bytes", exception.Status.Detail, StringComparison.Ordinal);
        var now = await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/GROW" }, cancellationToken: Ct);
        Assert.Equal(created.Version, now.Record.Version);
        Assert.Single(now.Record.Values);
    }

    [Fact]
    public async Task Resolve_ManyLargeRecords_L1StaysWithinItsBudgetWhichServerInfoReports()
    {
        await using var server = await TestServer.StartAsync("--l1-max-mb", "1");
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        for (var i = 0; i < 40; i++)
        {
            var create = new CreateRecordRequest { Identifier = $"88.168.1/L{i}" };
            create.Values.Add(new Value { Type = "blob", Data = new ValueData { Text = new string('x', 40_000) }, Permissions = new Permissions { AdminRead = true } });
            await server.Registry.CreateRecordAsync(create, cancellationToken: Ct);
            await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = $"88.168.1/L{i}" }, cancellationToken: Ct); // anonymous: filtered to no values
        }

        var info = await server.Resolution.GetServerInfoAsync(new GetServerInfoRequest(), cancellationToken: Ct);
        var l1 = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Caching.CacheTiers>(server.Services).Memory;

        Assert.Equal(1024 * 1024, info.Limits.L1MaxBytes);
        Assert.InRange(l1.EstimatedBytes, 1, info.Limits.L1MaxBytes);
    }

    [Fact]
    public async Task ListRecords_PageOfLargeRecords_IsCutShortToFitTheMessageLimitAndPagesOnWithoutLoss()
    {
        await using var server = await TestServer.StartAsync("--max-message-bytes", "131072");
        await server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        for (var i = 0; i < 10; i++)
        {
            var create = new CreateRecordRequest { Identifier = $"88.168.1/P{i}" };
            create.Values.Add(new Value { Type = "blob", Data = new ValueData { Text = new string('x', 50_000) } });
            await server.Registry.CreateRecordAsync(create, cancellationToken: Ct);
        }

        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await server.Registry.ListRecordsAsync(new ListRecordsRequest { Prefix = "88.168.1", PageSize = 1000, PageToken = token }, cancellationToken: Ct);
            Assert.True(page.CalculateSize() <= 131072, $"page {pages} is {page.CalculateSize()} bytes");
            seen.AddRange(page.Records.Select(r => r.Identifier));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"88.168.1/P{i}").Order(StringComparer.Ordinal), seen);
        Assert.True(pages > 1);
    }
}
