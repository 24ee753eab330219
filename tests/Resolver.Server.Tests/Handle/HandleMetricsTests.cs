using Resolver.Handle;

namespace Resolver.Server.Tests.Handle;

/// <summary>
/// Request metrics of the Handle listener (alone, as every test comparing scrapes: <see cref="MetricsScrapes"/>).
/// </summary>
[Collection(MetricsScrapes.Name)]
public sealed class HandleMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_CountHandleCallsByMethodAndCode()
    {
        await using var server = await HandleProtocolTests.StartWithRecordAsync();
        await using var client = HandleProtocolTests.ClientOf(server);
        var before = await PrometheusScrape.ReadAsync(server.HttpAddress, Ct);

        Assert.Equal(ResponseCode.Success, (await HandleProtocolTests.ResolveAsync(client, "88.168.1/ABC-123", HandleTransport.Udp)).Code);
        Assert.Equal(ResponseCode.HandleNotFound, (await HandleProtocolTests.ResolveAsync(client, "88.168.1/NONE", HandleTransport.Tcp)).Code);
        Assert.Equal(ResponseCode.Success, (await client.GetSiteInfoAsync(HandleTransport.Tcp, Ct)).Code);
        var after = await PrometheusScrape.ReadAsync(server.HttpAddress, Ct);

        double Delta(string method, string code) => after.Sum("resolver_requests_total", $"method={method}", $"code={code}") - before.Sum("resolver_requests_total", $"method={method}", $"code={code}");
        Assert.Equal(1, Delta("handle/resolution", "OK"));
        Assert.Equal(1, Delta("handle/resolution", "NOT_FOUND"));
        Assert.Equal(1, Delta("handle/site-info", "OK"));
    }
}
