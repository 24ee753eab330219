using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Security;
using Resolver.Core.Tests.Security;

namespace Resolver.Core.Tests;

/// <summary>Delegating and undelegating prefixes over in-memory stores: validation, who may, audit, and that every replica hears of it.</summary>
public sealed class PrefixAdministrationTests : IDisposable
{
    private const string Site = "https://secondary.example:5443";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 20, 0, 0, TimeSpan.Zero));
    private readonly InMemoryPrefixStore _prefixes = new();
    private readonly InMemoryAccessStore _access;
    private readonly PrefixDirectory _directory;
    private readonly RecordingChangeNotifier _changes = new();
    private readonly PrefixAdministration _administration;

    public PrefixAdministrationTests()
    {
        _access = new InMemoryAccessStore(_prefixes);
        _directory = new PrefixDirectory(_prefixes, _time);
        _administration = new PrefixAdministration(_prefixes, _directory, _changes, new AuditTrail(_access, _time), _time);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Delegate_ByTheAdmin_IsRoutedAtOnceAnnouncedAndAudited()
    {
        await _directory.GetTableAsync(Ct); // loaded before: the delegation must not wait for the refresh

        var (entry, created) = await _administration.DelegateAsync(Caller.Admin, "88.168.2", [Site, "http://backup.example:5280"], 600, Ct);

        Assert.True(created);
        Assert.Equal((PrefixKind.Delegated, 600, _time.GetUtcNow()), (entry.Kind, entry.Ttl, entry.CreatedAt));
        var route = (await _directory.GetTableAsync(Ct)).Route("88.168.2.7");
        Assert.Equal((RouteKind.Delegated, "88.168.2"), (route.Kind, route.Authority?.Prefix));
        Assert.Equal([Site, "http://backup.example:5280"], route.Authority!.Endpoints);
        Assert.Equal(1, _changes.PrefixChanges);
        Assert.Equal(("admin", "delegate-prefix", $"88.168.2 {Site},http://backup.example:5280 ttl=600", "OK"), await NewestAsync());
    }

    [Fact]
    public async Task Delegate_Again_ReplacesSitesAndTtlAndSaysSo()
    {
        await _administration.DelegateAsync(Caller.Admin, "88.168.2", [Site], 600, Ct);
        await _directory.GetTableAsync(Ct);

        var (entry, created) = await _administration.DelegateAsync(Caller.Admin, "88.168.2", ["https://moved.example:5443"], 60, Ct);

        Assert.False(created);
        var stored = Assert.Single(await _prefixes.ListAsync(Ct));
        Assert.Equal((60, "https://moved.example:5443"), (stored.Ttl, Assert.Single(stored.Endpoints)));
        Assert.Equal(entry.Endpoints, (await _directory.GetTableAsync(Ct)).FindAuthority("88.168.2")!.Endpoints);
        Assert.Equal(2, _changes.PrefixChanges);
        Assert.Equal("OK (replaced)", (await NewestAsync()).Outcome);
    }

    [Fact]
    public async Task Delegate_MixedCasePrefixAndSites_StoresTheCanonicalForms()
    {
        var (entry, _) = await _administration.DelegateAsync(Caller.Admin, "88.ACME", ["HTTPS://Node.Example:443/", "http://[::1]:5280"], 1, Ct);

        Assert.Equal("88.acme", entry.Prefix);
        Assert.Equal(["https://node.example:443", "http://[::1]:5280"], entry.Endpoints);
    }

    [Fact]
    public async Task Delegate_AtTheLimits_IsAllowed()
    {
        var sites = Enumerable.Range(1, PrefixAdministration.MaxSites).Select(i => $"https://site{i}.example:5443").ToArray();

        var (entry, _) = await _administration.DelegateAsync(Caller.Admin, "88.168.2", sites, PrefixAdministration.MaxTtl, Ct);

        Assert.Equal((16, 604_800), (entry.Endpoints.Count, entry.Ttl));
    }

    public static TheoryData<string, string[], int, string, string> InvalidDelegations => new()
    {
        { "88..1", [Site], 600, "empty-segment", "invalid prefix" },
        { "88.168.2", [], 600, "invalid-sites", "at least one site" },
        { "88.168.2", [.. Enumerable.Range(1, 17).Select(i => $"https://site{i}.example:5443")], 600, "invalid-sites", "at most 16" },
        { "88.168.2", [Site, "HTTPS://SECONDARY.example:5443"], 600, "invalid-sites", "named twice" },
        { "88.168.2", ["secondary.example"], 600, "invalid-site", "not an absolute URL" },
        { "88.168.2", ["ftp://secondary.example:21"], 600, "invalid-site", "http:// or https://" },
        { "88.168.2", ["https://secondary.example"], 600, "invalid-site", "must name its port" },
        { "88.168.2", ["https://secondary.example:443x"], 600, "invalid-site", "not an absolute URL" },
        { "88.168.2", ["https://secondary.example:0"], 600, "invalid-site", "must name its port" },
        { "88.168.2", ["https://[::1]"], 600, "invalid-site", "must name its port" },
        { "88.168.2", ["https://secondary.example:5443/resolver"], 600, "invalid-site", "without a path" },
        { "88.168.2", ["https://secondary.example:5443/?a=1"], 600, "invalid-site", "without a path, query" },
        { "88.168.2", ["https://secondary.example:5443#top"], 600, "invalid-site", "or fragment" },
        { "88.168.2", ["https://secondary.example:5443?"], 600, "invalid-site", "or fragment" },
        { "88.168.2", ["https://ops:secret@secondary.example:5443"], 600, "invalid-site", "nothing else before it" },
        { "88.168.2", ["https://" + new string('a', 300) + ":5443"], 600, "invalid-site", "not an absolute URL" },
        { "88.168.2", [Site], 0, "invalid-ttl", "1 to 604800 seconds" },
        { "88.168.2", [Site], -5, "invalid-ttl", "1 to 604800 seconds" },
        { "88.168.2", [Site], 604_801, "invalid-ttl", "1 to 604800 seconds" },
    };

    [Theory]
    [MemberData(nameof(InvalidDelegations))]
    public async Task Delegate_Invalid_IsInvalidArgumentSayingWhyAndChangesNothing(string prefix, string[] sites, int ttl, string reason, string saying)
    {
        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.DelegateAsync(Caller.Admin, prefix, sites, ttl, Ct));

        Assert.Equal((ErrorKind.InvalidArgument, reason), (refused.Problem.Kind, refused.Problem.Reason));
        Assert.Contains(saying, refused.Problem.Message, StringComparison.Ordinal);
        Assert.Empty(await _prefixes.ListAsync(Ct));
        Assert.Equal(0, _changes.PrefixChanges);
        Assert.Equal(("admin", "delegate-prefix", prefix, "INVALID_ARGUMENT"), await NewestAsync());
    }

    [Fact]
    public async Task Delegate_SiteWithControlCharacters_IsNotEchoedRaw()
    {
        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.DelegateAsync(Caller.Admin, "88.168.2", ["https://a\u001b[31m.example:5443/x"], 600, Ct));

        Assert.DoesNotContain('\u001b', refused.Problem.Message);
    }

    [Fact]
    public async Task Delegate_HomedPrefix_IsFailedPreconditionAndKeepsItHomed()
    {
        await _administration.HomeAsync(Caller.Admin, "88.168.1", Ct);
        var announced = _changes.PrefixChanges;

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.DelegateAsync(Caller.Admin, "88.168.1", [Site], 600, Ct));

        Assert.Equal((ErrorKind.FailedPrecondition, "prefix-homed", "88.168.1"), (refused.Problem.Kind, refused.Problem.Reason, refused.Problem.Prefix));
        Assert.Equal(PrefixKind.Homed, Assert.Single(await _prefixes.ListAsync(Ct)).Kind);
        Assert.Equal(announced, _changes.PrefixChanges);
        Assert.Equal(("admin", "delegate-prefix", "88.168.1", "FAILED_PRECONDITION"), await NewestAsync());
    }

    [Fact]
    public async Task Home_DelegatedPrefix_IsFailedPreconditionNamingTheSite()
    {
        await _administration.DelegateAsync(Caller.Admin, "88.168.2", [Site], 600, Ct);

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.HomeAsync(Caller.Admin, "88.168.2", Ct));

        Assert.Equal((ErrorKind.FailedPrecondition, "prefix-delegated"), (refused.Problem.Kind, refused.Problem.Reason));
        Assert.Contains(Site, refused.Problem.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, ErrorKind, string> Refusals => new()
    {
        { "delegate", ErrorKind.Unauthenticated, "anonymous" },
        { "delegate", ErrorKind.PermissionDenied, "acme" },
        { "undelegate", ErrorKind.Unauthenticated, "anonymous" },
        { "undelegate", ErrorKind.PermissionDenied, "acme" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task DelegateOrUndelegate_ByAnyoneButTheAdmin_IsRefusedAuditedAndChangesNothing(string operation, ErrorKind expected, string who)
    {
        await _administration.DelegateAsync(Caller.Admin, "88.168.3", [Site], 600, Ct);
        var before = Describe(await _prefixes.ListAsync(Ct));
        var announced = _changes.PrefixChanges;
        var caller = who == "anonymous" ? Caller.Anonymous : Caller.ForEnterprise(who);

        var refused = await Assert.ThrowsAsync<ResolverException>(async () =>
        {
            if (operation == "delegate")
            {
                await _administration.DelegateAsync(caller, "88.168.3", ["https://hijack.example:5443"], 600, Ct);
            }
            else
            {
                await _administration.UndelegateAsync(caller, "88.168.3", Ct);
            }
        });

        Assert.Equal(expected, refused.Problem.Kind);
        Assert.Equal(before, Describe(await _prefixes.ListAsync(Ct)));
        Assert.Equal(announced, _changes.PrefixChanges);
        Assert.Equal((operation + "-prefix", AuditTrail.StatusName(expected)), ((await NewestAsync()).Operation, (await NewestAsync()).Outcome));
    }

    [Fact]
    public async Task Undelegate_Delegated_RemovesItEverywhereAndAgainIsFalse()
    {
        await _administration.HomeAsync(Caller.Admin, "88.168", Ct);
        await _administration.DelegateAsync(Caller.Admin, "88.168.2", [Site], 600, Ct);
        await _directory.GetTableAsync(Ct);
        var announced = _changes.PrefixChanges;

        var removed = await _administration.UndelegateAsync(Caller.Admin, "88.168.2", Ct);

        Assert.True(removed);
        Assert.Equal(RouteKind.Local, (await _directory.GetTableAsync(Ct)).Route("88.168.2").Kind); // back to the homed parent
        Assert.Equal(announced + 1, _changes.PrefixChanges);
        Assert.Equal(("admin", "undelegate-prefix", "88.168.2", "OK"), await NewestAsync());

        Assert.False(await _administration.UndelegateAsync(Caller.Admin, "88.168.2", Ct));
        Assert.Equal(announced + 1, _changes.PrefixChanges);
        Assert.Equal("OK (not delegated)", (await NewestAsync()).Outcome);
    }

    [Fact]
    public async Task Undelegate_HomedPrefix_IsFailedPreconditionAndKeepsIt()
    {
        await _administration.HomeAsync(Caller.Admin, "88.168.1", Ct);

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.UndelegateAsync(Caller.Admin, "88.168.1", Ct));

        Assert.Equal((ErrorKind.FailedPrecondition, "prefix-homed"), (refused.Problem.Kind, refused.Problem.Reason));
        Assert.Equal(PrefixKind.Homed, Assert.Single(await _prefixes.ListAsync(Ct)).Kind);
    }

    [Fact]
    public async Task Undelegate_MalformedPrefix_IsInvalidArgumentNamingTheRule()
    {
        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.UndelegateAsync(Caller.Admin, "88..2", Ct));

        Assert.Equal((ErrorKind.InvalidArgument, "empty-segment"), (refused.Problem.Kind, refused.Problem.Reason));
    }

    public void Dispose() => _directory.Dispose();

    private async Task<(string Actor, string Operation, string Target, string Outcome)> NewestAsync()
    {
        var entry = (await _access.ListAuditAsync(null, 1, Ct))[0];
        return (entry.Actor, entry.Operation, entry.Target, entry.Outcome);
    }

    private static string Describe(IEnumerable<PrefixEntry> entries) =>
        string.Join('\n', entries.Select(e => $"{e.Prefix} {e.Kind} {string.Join(',', e.Endpoints)} {e.Ttl}"));
}
