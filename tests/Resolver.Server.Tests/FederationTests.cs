using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// Recursive resolution between real nodes in this process: a recursive node with delegations to sites that serve
/// the records (SPEC §4, docs/federation.md). The three-process tree is in <c>FederationProcessTests</c>.
/// </summary>
public sealed class FederationTests : IAsyncLifetime
{
    private TestServer _site = null!;
    private TestServer _top = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _site = await TestServer.StartAsync();
        _top = await TestServer.StartAsync("--recursive", "true");
        await _site.RegisterAsync("88.168.1/ABC", "https://example.com/abc");
        await DelegateAsync(_top, "88.168.1", _site.GrpcAddress);
    }

    public async ValueTask DisposeAsync()
    {
        await _top.DisposeAsync();
        await _site.DisposeAsync();
    }

    internal static async Task DelegateAsync(TestServer node, string prefix, params string[] sites)
    {
        var request = new DelegatePrefixRequest { Prefix = prefix, Ttl = 60 };
        request.Sites.AddRange(sites);
        await node.Admin.DelegatePrefixAsync(request, cancellationToken: Ct);
    }

    [Fact]
    public async Task Resolve_UnderADelegatedPrefix_OnARecursiveNode_AnswersTheSitesRecordWithItsTrace()
    {
        var result = await _top.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/ABC" }, cancellationToken: Ct);

        Assert.Equal("https://example.com/abc", result.Record.Values[0].Data.Text);
        Assert.Collection(result.Trace,
            self => Assert.Equal(("", false), (self.Endpoint, self.Cached)),
            site => Assert.Equal((_site.GrpcAddress, "88.168.1", 0), (site.Endpoint, site.Prefix, site.Code)));

        var again = await _top.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/ABC" }, cancellationToken: Ct);
        Assert.True(Assert.Single(again.Trace).Cached, "the second answer comes from the recursive node's cache");
    }

    [Fact]
    public async Task Resolve_WithNoRecursion_AnswersTheReferral()
    {
        var result = await _top.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/ABC", NoRecursion = true }, cancellationToken: Ct);

        Assert.Equal("88.168.1", result.Referral.Prefix);
        Assert.Equal([_site.GrpcAddress], result.Referral.Endpoints);
        Assert.Equal(60, result.Referral.Ttl);
    }

    [Fact]
    public async Task Resolve_NotRegisteredAtTheSite_IsNotFound()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => _top.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/NOPE" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Resolve_SiteUnreachable_IsUnavailableNamingItWithinTheDeadline()
    {
        var dead = $"http://127.0.0.1:{Resolver.Testing.FreePort.Next()}";
        await DelegateAsync(_top, "88.168.9", dead);

        var failure = await Assert.ThrowsAsync<RpcException>(() => _top.Resolution.ResolveAsync(
            new ResolveRequest { Identifier = "88.168.9/X" }, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Contains(dead, failure.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_DelegationLoop_IsAnErrorNamingTheChain()
    {
        // The site sends 77.1 back to the recursive node, which sends it to the site: a loop.
        await DelegateAsync(_top, "77.1", _site.GrpcAddress);
        await DelegateAsync(_site, "77.1", _top.GrpcAddress);

        var failure = await Assert.ThrowsAsync<RpcException>(() => _top.Resolution.ResolveAsync(
            new ResolveRequest { Identifier = "77.1/X" }, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, failure.StatusCode);
        Assert.Contains("loop", failure.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(_site.GrpcAddress, failure.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleRest_OnARecursiveNode_ResolvesAtTheSite_AndRefersOnlyWithDoNotRefer()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_top.HttpAddress) };

        var resolved = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/handles/88.168.1/ABC", UriKind.Relative), Ct)).RootElement;
        using var referred = await http.GetAsync(new Uri("/api/handles/88.168.1/ABC?doNotRefer=true", UriKind.Relative), Ct);
        var referral = System.Text.Json.JsonDocument.Parse(await referred.Content.ReadAsStringAsync(Ct)).RootElement;

        Assert.Equal(1, resolved.GetProperty("responseCode").GetInt32());
        Assert.Equal("https://example.com/abc", resolved.GetProperty("values")[0].GetProperty("data").GetProperty("value").GetString());
        Assert.Equal(302, referral.GetProperty("responseCode").GetInt32());
    }

    [Fact]
    public async Task Resolve_AsTheRecursiveNodesAdmin_AsksTheSiteAsItselfNotWithTheCallersCredential()
    {
        // Every test node has the same admin token: were the caller's credential forwarded, the site would show it the private value.
        var create = new CreateRecordRequest { Identifier = "88.168.1/MIXED" };
        create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://example.com/public" } });
        create.Values.Add(new Value { Type = "EMAIL", Data = new ValueData { Text = "ops@example.com" }, Permissions = new Permissions { AdminRead = true, AdminWrite = true } });
        await _site.Registry.CreateRecordAsync(create, cancellationToken: Ct);

        var asAdmin = await new Resolution.ResolutionClient(_top.As(TestServer.AdminToken)).ResolveAsync(new ResolveRequest { Identifier = "88.168.1/MIXED" }, cancellationToken: Ct);
        var atTheSite = await new Resolution.ResolutionClient(_site.As(TestServer.AdminToken)).ResolveAsync(new ResolveRequest { Identifier = "88.168.1/MIXED" }, cancellationToken: Ct);

        Assert.Equal(["URL"], asAdmin.Record.Values.Select(v => v.Type));
        Assert.Equal(["URL", "EMAIL"], atTheSite.Record.Values.Select(v => v.Type)); // the value exists; the recursive node was not shown it
    }

    [Fact]
    public async Task Upstream_ForAPrefixNeitherHomedNorDelegated_ResolvesThereOrRefersThere()
    {
        // An enterprise node that knows only its own prefix names the node above it as its upstream.
        await using var recursive = await TestServer.StartAsync("--recursive", "true", "--upstream", _site.GrpcAddress);
        await using var authoritative = await TestServer.StartAsync("--upstream", _site.GrpcAddress);

        var resolved = await recursive.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/ABC" }, cancellationToken: Ct);
        var referred = await authoritative.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/ABC" }, cancellationToken: Ct);
        var withoutUpstream = await Assert.ThrowsAsync<RpcException>(() => _site.Resolution.ResolveAsync(new ResolveRequest { Identifier = "99.1/ABC" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal("https://example.com/abc", resolved.Record.Values[0].Data.Text);
        Assert.Equal([_site.GrpcAddress], resolved.Trace.Skip(1).Select(h => h.Endpoint));
        Assert.Equal("", referred.Referral.Prefix); // "everything I do not know"
        Assert.Equal([_site.GrpcAddress], referred.Referral.Endpoints);
        Assert.Equal(StatusCode.NotFound, withoutUpstream.StatusCode); // a node without an upstream knows nothing else
    }

    [Fact]
    public async Task UpstreamChain_RecursiveEnterpriseToSecondaryToTop_Resolves()
    {
        // Each node names the one above it; only the top-level node holds the record.
        await using var top = await TestServer.StartAsync();
        await top.RegisterAsync("99.1/X", "https://example.com/x");
        await using var secondary = await TestServer.StartAsync("--upstream", top.GrpcAddress);
        await using var enterprise = await TestServer.StartAsync("--recursive", "true", "--upstream", secondary.GrpcAddress);

        var result = await enterprise.Resolution.ResolveAsync(new ResolveRequest { Identifier = "99.1/X" }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct);

        Assert.Equal("https://example.com/x", result.Record.Values[0].Data.Text);
        Assert.Equal([secondary.GrpcAddress, top.GrpcAddress], result.Trace.Skip(1).Select(h => h.Endpoint));
    }

    [Fact]
    public async Task PrivateValueGrantedToTheNode_IsNotShownToTheOwnerOfAHomedAncestor()
    {
        // The site shows this node its private value (its token is the site's admin token); the enterprise owning
        // the homed ancestor 88 on this node has no claim to a record another node serves.
        await using var top = await TestServer.StartAsync("--recursive", "true", "--site-token", TestServer.AdminToken);
        var create = new CreateRecordRequest { Identifier = "88.168.1/MIXED2" };
        create.Values.Add(new Value { Type = "URL", Data = new ValueData { Text = "https://example.com/public" } });
        create.Values.Add(new Value { Type = "EMAIL", Data = new ValueData { Text = "ops@example.com" }, Permissions = new Permissions { AdminRead = true, AdminWrite = true } });
        await _site.Registry.CreateRecordAsync(create, cancellationToken: Ct);
        var owner = await top.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "national", Prefix = "88" }, cancellationToken: Ct);
        await DelegateAsync(top, "88.168.1", _site.GrpcAddress);

        var asOwner = await new Resolution.ResolutionClient(top.As(owner.ApiKey)).ResolveAsync(new ResolveRequest { Identifier = "88.168.1/MIXED2" }, cancellationToken: Ct);
        var asAdmin = await new Resolution.ResolutionClient(top.As(TestServer.AdminToken)).ResolveAsync(new ResolveRequest { Identifier = "88.168.1/MIXED2" }, cancellationToken: Ct);

        Assert.Equal(["URL"], asOwner.Record.Values.Select(v => v.Type));
        Assert.Equal(["URL", "EMAIL"], asAdmin.Record.Values.Select(v => v.Type)); // the token reached the (configured) site
    }

    [Fact]
    public async Task RemoteAnswer_WithoutRedis_StaysCachedForItsTtlNotJustTheUnsyncedSecond()
    {
        // Without Redis, local records live in L1 for --l1-unsynced-ttl-ms (1 s); a remote record is bounded by its TTL only.
        var clock = new Resolver.Testing.ShiftedTimeProvider();
        await using var top = await TestServer.StartAsync(services => services.AddSingleton<TimeProvider>(clock), "--recursive", "true");
        await DelegateAsync(top, "88.168.1", _site.GrpcAddress);
        await top.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/ABC" }, cancellationToken: Ct);

        clock.Shift(TimeSpan.FromSeconds(30));
        var later = await top.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/ABC" }, cancellationToken: Ct);

        Assert.True(Assert.Single(later.Trace).Cached, "the remote answer was asked again after 30 s although its TTL is a day (capped at 300 s)");
    }
}
