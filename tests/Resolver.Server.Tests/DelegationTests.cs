using Grpc.Core;
using Resolver.Protocol.V1;
using Resolver.Server.Api;

namespace Resolver.Server.Tests;

/// <summary>DelegatePrefix / UndelegatePrefix over gRPC against a real server: what ListPrefixes and Resolve answer after them.</summary>
public sealed class DelegationTests : IAsyncLifetime
{
    private const string Site = "https://secondary.example:5443";

    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168" }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private Task<DelegatePrefixResponse> DelegateAsync(string prefix, int ttl, params string[] sites) =>
        _server.Admin.DelegatePrefixAsync(new DelegatePrefixRequest { Prefix = prefix, Ttl = ttl, Sites = { sites } }, cancellationToken: Ct).ResponseAsync;

    private async Task<PrefixInfo> ListedAsync(string prefix) =>
        (await _server.Admin.ListPrefixesAsync(new ListPrefixesRequest(), cancellationToken: Ct)).Prefixes.Single(p => p.Prefix == prefix);

    [Fact]
    public async Task DelegatePrefix_UnderAHomedPrefix_IsListedWithSitesAndTtlAndResolvesToAReferral()
    {
        var response = await DelegateAsync("88.168.2", 600, Site, "http://backup.example:5280");

        Assert.True(response.Created);
        var listed = await ListedAsync("88.168.2");
        Assert.Equal(response.Prefix, listed);
        Assert.Equal((PrefixKind.Delegated, 600), (listed.Kind, listed.Ttl));
        Assert.Equal([Site, "http://backup.example:5280"], listed.Endpoints);
        Assert.Equal(0, (await ListedAsync("88.168")).Ttl); // homed: no referral, no TTL shown

        var answer = await _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.2/X" }, cancellationToken: Ct);
        Assert.Equal("88.168.2", answer.Referral.Prefix);
        Assert.Equal([Site, "http://backup.example:5280"], answer.Referral.Endpoints);
        Assert.Null(answer.Record);
    }

    [Fact]
    public async Task DelegatePrefix_TtlZero_IsTheDefaultAndAgainReplacesTheSites()
    {
        var first = await DelegateAsync("88.168.2", 0, Site);
        var again = await DelegateAsync("88.168.2", 120, "https://moved.example:5443");

        Assert.Equal((true, 3600), (first.Created, first.Prefix.Ttl));
        Assert.False(again.Created);
        var listed = await ListedAsync("88.168.2");
        Assert.Equal((120, "https://moved.example:5443"), (listed.Ttl, Assert.Single(listed.Endpoints)));
        Assert.Equal(first.Prefix.CreatedAt, listed.CreatedAt);
    }

    [Fact]
    public async Task UndelegatePrefix_Delegated_ResolvesUnderTheHomedParentAgainAndAgainIsNotRemoved()
    {
        await DelegateAsync("88.168.2", 600, Site);

        var removed = await _server.Admin.UndelegatePrefixAsync(new UndelegatePrefixRequest { Prefix = "88.168.2" }, cancellationToken: Ct);
        var again = await _server.Admin.UndelegatePrefixAsync(new UndelegatePrefixRequest { Prefix = "88.168.2" }, cancellationToken: Ct);

        Assert.True(removed.Removed);
        Assert.False(again.Removed);
        Assert.DoesNotContain((await _server.Admin.ListPrefixesAsync(new ListPrefixesRequest(), cancellationToken: Ct)).Prefixes, p => p.Prefix == "88.168.2");
        var missing = await Assert.ThrowsAsync<RpcException>(() => _server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.2/X" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal((StatusCode.NotFound, "identifier-not-found"), (missing.StatusCode, Reason(missing))); // the homed 88.168 answers now
    }

    [Theory]
    [InlineData("delegate")]
    [InlineData("undelegate")]
    public async Task DelegateOrUndelegate_HomedPrefix_IsFailedPreconditionPrefixHomed(string operation)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => operation == "delegate"
            ? DelegateAsync("88.168", 600, Site)
            : _server.Admin.UndelegatePrefixAsync(new UndelegatePrefixRequest { Prefix = "88.168" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal((StatusCode.FailedPrecondition, "prefix-homed"), (refused.StatusCode, Reason(refused)));
        Assert.Contains("88.168 is homed here", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(PrefixKind.Homed, (await ListedAsync("88.168")).Kind);
    }

    [Theory]
    [InlineData("88.168.2", Site, 604_801, "invalid-ttl")]
    [InlineData("88.168.2", Site, -1, "invalid-ttl")]
    [InlineData("88.168.2", "https://secondary.example", 600, "invalid-site")]
    [InlineData("88.168.2", "", 600, "invalid-site")]
    [InlineData("88..2", Site, 600, "empty-segment")]
    public async Task DelegatePrefix_Invalid_IsInvalidArgumentAndListsNothingNew(string prefix, string site, int ttl, string reason)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => DelegateAsync(prefix, ttl, site));

        Assert.Equal((StatusCode.InvalidArgument, reason), (refused.StatusCode, Reason(refused)));
        Assert.Equal(["88.168"], (await _server.Admin.ListPrefixesAsync(new ListPrefixesRequest(), cancellationToken: Ct)).Prefixes.Select(p => p.Prefix));
    }

    [Fact]
    public async Task DelegatePrefix_NoSites_IsInvalidArgument()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => DelegateAsync("88.168.2", 600));

        Assert.Equal((StatusCode.InvalidArgument, "invalid-sites"), (refused.StatusCode, Reason(refused)));
    }

    [Fact]
    public async Task DelegateAndUndelegate_AreInTheAuditLog()
    {
        await DelegateAsync("88.168.2", 600, Site);
        await _server.Admin.UndelegatePrefixAsync(new UndelegatePrefixRequest { Prefix = "88.168.2" }, cancellationToken: Ct);

        var audit = await _server.Admin.ListAuditAsync(new ListAuditRequest { Limit = 2 }, cancellationToken: Ct);

        Assert.Equal(
            [("undelegate-prefix", "88.168.2", "OK"), ("delegate-prefix", $"88.168.2 {Site} ttl=600", "OK")],
            audit.Entries.Select(e => (e.Operation, e.Target, e.Outcome)));
    }

    private static string Reason(RpcException exception) =>
        Problem.Parser.ParseFrom(exception.Trailers.GetValueBytes(ProblemMetadata.TrailerKey)).Reason;
}
