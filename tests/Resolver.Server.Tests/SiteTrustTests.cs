using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Protocol.V1;
using Resolver.Federation;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>
/// The trust boundary between nodes (SPEC §4 "Trust between nodes", docs/federation.md): a recursive node asks hostile
/// sites (<see cref="HostileSite"/>) and must believe them only below the prefix it delegated, dial only what
/// <c>--site-allow</c> admits, keep its own limits on what they answer, fail only the item a malformed answer is about, and
/// forget what a site said once the prefix's authority changes here.
/// </summary>
public sealed class SiteTrustTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<ResolveResult> ResolveAsync(TestServer node, string identifier) =>
        node.Resolution.ResolveAsync(new ResolveRequest { Identifier = identifier }, deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: Ct).ResponseAsync;

    private static async Task<RpcException> RefusedAsync(TestServer node, string identifier) =>
        await Assert.ThrowsAsync<RpcException>(() => ResolveAsync(node, identifier));

    [Fact]
    public async Task Referral_FromADelegatedSiteToEverything_IsNotFollowed_AndNoReplicaServesWhatItLedTo()
    {
        // SETUP of the issue: T (two replicas sharing a Redis) is recursive with upstream U, and delegates 88.168.5 to H.
        // H sends 88.168.5/BAIT to E "for every prefix"; E refers 88 to F, which forges everything.
        await using var redis = await RedisServer.StartAsync(cancellationToken: Ct);
        await using var upstream = await TestServer.StartAsync();
        await upstream.RegisterAsync("88.170.1/Z2", "https://upstream.example/z2");
        await using var forger = await HostileSite.ServingAsync("https://forged.example/");
        await using var lure = await HostileSite.StartAsync(request => HostileSite.ReferralOf(request.Identifier, "88", forger.Address));
        await using var hostile = await HostileSite.StartAsync(request => HostileSite.ReferralOf(request.Identifier, "", lure.Address));
        await using var first = await TestServer.StartAsync("--recursive", "true", "--upstream", upstream.GrpcAddress, "--redis", redis.Configuration);
        await using var second = await TestServer.StartAsync("--recursive", "true", "--upstream", upstream.GrpcAddress, "--redis", redis.Configuration);
        await FederationTests.DelegateAsync(first, "88.168.5", hostile.Address);
        await FederationTests.DelegateAsync(second, "88.168.5", hostile.Address);

        var bait = await RefusedAsync(first, "88.168.5/BAIT");
        var onFirst = await ResolveAsync(first, "88.170.1/Z2");
        var onSecond = await ResolveAsync(second, "88.170.1/Z2");

        Assert.Equal(StatusCode.FailedPrecondition, bait.StatusCode);
        Assert.Contains("outside prefix 88.168.5", bait.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(lure.Asked);
        Assert.Empty(forger.Asked);
        Assert.Equal("https://upstream.example/z2", onFirst.Record.Values[0].Data.Text);
        Assert.Equal("https://upstream.example/z2", onSecond.Record.Values[0].Data.Text);
    }

    [Fact]
    public async Task Referral_ToAShorterPrefix_IsALoopNotFollowed()
    {
        await using var forger = await HostileSite.ServingAsync("https://forged.example/");
        await using var hostile = await HostileSite.StartAsync(request => HostileSite.ReferralOf(request.Identifier, "88", forger.Address));
        await using var node = await TestServer.StartAsync("--recursive", "true");
        await FederationTests.DelegateAsync(node, "88.168.5", hostile.Address);

        var refused = await RefusedAsync(node, "88.168.5/BAIT");

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Empty(forger.Asked);
    }

    [Fact]
    public async Task Referral_WithMoreEndpointsThanADelegationMayName_IsAnInvalidAnswer_AndOpensNoChannel()
    {
        var many = Enumerable.Range(0, 20_000).Select(i => $"http://127.0.0.1:{1 + (i % 60_000)}").ToArray();
        await using var hostile = await HostileSite.StartAsync(request => HostileSite.ReferralOf(request.Identifier, "88.168.5.1", many));
        await using var node = await TestServer.StartAsync("--recursive", "true");
        await FederationTests.DelegateAsync(node, "88.168.5", hostile.Address);

        var refused = await RefusedAsync(node, "88.168.5.1/X");

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("20000 sites; a delegation names 1 to 16", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(1, node.Services.GetRequiredService<SiteChannels>().Count); // the hostile site's own, nothing more
    }

    [Fact]
    public async Task Referral_ToAnEndpointOutsideSiteAllow_IsNeverDialled()
    {
        await using var elsewhere = await HostileSite.ServingAsync("https://elsewhere.example/");
        await using var hostile = await HostileSite.StartAsync(request => HostileSite.ReferralOf(request.Identifier, "88.168.5.1", elsewhere.Address));
        await using var node = await TestServer.StartAsync("--recursive", "true", "--site-allow", "192.0.2.0/24,*.idx.example");
        await FederationTests.DelegateAsync(node, "88.168.5", hostile.Address);

        var refused = await RefusedAsync(node, "88.168.5.1/X");

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("--site-allow", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(elsewhere.Address, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Asked);
    }

    [Fact]
    public async Task Referral_ToAnAllowedDeadEndpoint_NamesTheSiteWithoutExceptionText()
    {
        var dead = $"http://127.0.0.1:{FreePort.Next()}";
        await using var hostile = await HostileSite.StartAsync(request => HostileSite.ReferralOf(request.Identifier, "88.168.5.1", dead));
        await using var node = await TestServer.StartAsync("--recursive", "true");
        await FederationTests.DelegateAsync(node, "88.168.5", hostile.Address);

        var refused = await RefusedAsync(node, "88.168.5.1/X");

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.True(refused.Status.Detail.Contains($"{dead}: connection failed", StringComparison.Ordinal), refused.Status.Detail);
        Assert.DoesNotContain("Exception", refused.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("refused (", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SiteAnswers_PastThisNodesLimitsOrMalformed_FailTheirOwnItem_TheRestOfTheBatchIsAnswered()
    {
        await using var hostile = await HostileSite.StartAsync(request => request.Identifier switch
        {
            "88.168.5/huge" => Huge(request.Identifier),
            "88.168.5/many" => Many(request.Identifier),
            "88.168.5/bad-time" => BadTime(request.Identifier),
            "88.168.5/odd-code" => new ResolveResult { Identifier = request.Identifier, Status = new ItemStatus { Code = 99, Message = "?" } },
            "88.168.5/empty-ok" => new ResolveResult { Identifier = request.Identifier, Status = new ItemStatus() },
            "88.168.5/other" => HostileSite.RecordOf("88.168.5/good", "https://hostile.example/other"),
            _ => HostileSite.RecordOf(request.Identifier, "https://hostile.example/good"),
        });
        await using var node = await TestServer.StartAsync("--recursive", "true");
        await FederationTests.DelegateAsync(node, "88.168.5", hostile.Address);
        string[] asked = ["88.168.5/huge", "88.168.5/many", "88.168.5/bad-time", "88.168.5/odd-code", "88.168.5/empty-ok", "88.168.5/other", "88.168.5/good"];
        var batch = new BatchResolveRequest();
        batch.Requests.AddRange(asked.Select(id => new ResolveRequest { Identifier = id }));

        var answer = await node.Resolution.BatchResolveAsync(batch, deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = new Uri(node.HttpAddress) };
        using var rest = await http.GetAsync(new Uri("/api/handles/88.168.5/bad-time", UriKind.Relative), Ct);
        var restBody = JsonDocument.Parse(await rest.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.All(answer.Results.Take(6), result =>
        {
            Assert.Equal((int)StatusCode.Unavailable, result.Status.Code);
            Assert.Equal("site-answer-invalid", result.Status.Problem.Reason);
            Assert.Contains(hostile.Address, result.Status.Message, StringComparison.Ordinal);
        });
        Assert.Equal("https://hostile.example/good", answer.Results[6].Record.Values[0].Data.Text);
        Assert.False(rest.IsSuccessStatusCode);
        Assert.NotEqual(1, restBody.GetProperty("responseCode").GetInt32());
    }

    [Fact]
    public async Task AfterUndelegateAndHome_NoCachedSiteAnswerIsServed_NotEvenTheValuesGrantedToThisNode()
    {
        await using var hostile = await HostileSite.StartAsync(request =>
        {
            var answer = HostileSite.RecordOf(request.Identifier, "https://site.example/public");
            answer.Record.Values.Add(new Value { Index = 2, Type = "EMAIL", Data = new ValueData { Text = "granted-to-the-node@site.example" }, Ttl = 3600, Permissions = new Permissions { AdminRead = true } });
            return answer;
        });
        await using var node = await TestServer.StartAsync("--recursive", "true");
        await FederationTests.DelegateAsync(node, "88.168.5", hostile.Address);
        Assert.Equal("https://site.example/public", (await ResolveAsync(node, "88.168.5/X")).Record.Values[0].Data.Text);

        await node.Admin.UndelegatePrefixAsync(new UndelegatePrefixRequest { Prefix = "88.168.5" }, cancellationToken: Ct);
        var owner = await node.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "newowner", Prefix = "88.168.5" }, cancellationToken: Ct);
        var anonymous = await RefusedAsync(node, "88.168.5/X");
        var asOwner = await Assert.ThrowsAsync<RpcException>(() => new Resolution.ResolutionClient(node.As(owner.ApiKey))
            .ResolveAsync(new ResolveRequest { Identifier = "88.168.5/X" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, anonymous.StatusCode);
        Assert.Equal(StatusCode.NotFound, asOwner.StatusCode);
        Assert.Single(hostile.Asked);
    }

    [Fact]
    public async Task Redelegation_DropsReferralsLearnedThroughTheOldSite()
    {
        await using var oldDeeper = await HostileSite.ServingAsync("https://old.example/");
        await using var oldSite = await HostileSite.StartAsync(request => HostileSite.ReferralOf(request.Identifier, "88.168.5.1", oldDeeper.Address));
        await using var newSite = await HostileSite.ServingAsync("https://new.example/");
        await using var node = await TestServer.StartAsync("--recursive", "true");
        await FederationTests.DelegateAsync(node, "88.168.5", oldSite.Address);
        Assert.Equal("https://old.example/", (await ResolveAsync(node, "88.168.5.1/A")).Record.Values[0].Data.Text);

        await FederationTests.DelegateAsync(node, "88.168.5", newSite.Address);
        var after = await ResolveAsync(node, "88.168.5.1/B");

        Assert.Equal("https://new.example/", after.Record.Values[0].Data.Text);
        Assert.Equal(["88.168.5.1/a"], oldDeeper.Asked); // the key, as the node asks for it
    }

    [Fact]
    public async Task Site_AskedForACallerWithoutADeadline_GetsNoMoreThanTheNodesOwnBoundOnTheCall()
    {
        // The call is bounded by --max-request-seconds (1 s) though the caller set no deadline, and --site-timeout-ms
        // would allow 10 s: the site is told the call's bound, so it stops working for an answer nobody waits for.
        await using var site = await HostileSite.ServingAsync("https://site.example/");
        await using var node = await TestServer.StartAsync("--recursive", "true", "--max-request-seconds", "1", "--site-timeout-ms", "10000");
        await FederationTests.DelegateAsync(node, "88.168.5", site.Address);

        var asked = DateTime.UtcNow;
        await node.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.5/X" }, cancellationToken: Ct);

        Assert.True(Assert.Single(site.Deadlines) < asked.AddSeconds(5), $"the site was given until {Assert.Single(site.Deadlines):O}, asked at {asked:O}");
    }

    private static ResolveResult Huge(string identifier)
    {
        // 100 values of 60,000 bytes: each within the value limit, the record (6 MB) past what this node answers.
        var answer = HostileSite.RecordOf(identifier, "https://hostile.example/huge");
        var payload = new string('x', 60_000);
        answer.Record.Values.AddRange(Enumerable.Range(2, 100).Select(i => new Value { Index = i, Type = "DATA", Data = new ValueData { Text = payload }, Ttl = 60, Permissions = new Permissions { PublicRead = true } }));
        return answer;
    }

    private static ResolveResult Many(string identifier)
    {
        var answer = HostileSite.RecordOf(identifier, "https://hostile.example/many");
        answer.Record.Values.AddRange(Enumerable.Range(2, 1000).Select(i => new Value { Index = i, Type = "N", Data = new ValueData { Text = "n" }, Ttl = 60, Permissions = new Permissions { PublicRead = true } }));
        return answer;
    }

    private static ResolveResult BadTime(string identifier)
    {
        var answer = HostileSite.RecordOf(identifier, "https://hostile.example/bad-time");
        answer.Record.Values[0].Timestamp = new Google.Protobuf.WellKnownTypes.Timestamp { Seconds = long.MaxValue / 2 };
        return answer;
    }
}
