using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Security;
using Resolver.Core.Storage;

namespace Resolver.Core.Tests.Security;

/// <summary>Enterprise, key, grant and audit administration over in-memory stores: who may do what, and that refusals change nothing.</summary>
public sealed class AccessAdministrationTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));
    private readonly InMemoryPrefixStore _prefixes = new();
    private readonly InMemoryAccessStore _store;
    private readonly PrefixDirectory _prefixDirectory;
    private readonly AccessDirectory _accessDirectory;
    private readonly AccessAdministration _administration;
    private readonly RecordingChangeNotifier _changes = new();

    public AccessAdministrationTests()
    {
        _store = new InMemoryAccessStore(_prefixes);
        _prefixDirectory = new PrefixDirectory(_prefixes, _time);
        _accessDirectory = new AccessDirectory(_store, _time);
        _administration = new AccessAdministration(_store, _accessDirectory, _prefixDirectory, _changes, new AuditTrail(_store, _time), ResolverLimits.Default, _time);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Caller Acme { get; } = Caller.ForEnterprise("acme");

    private static Caller Globex { get; } = Caller.ForEnterprise("globex");

    [Fact]
    public async Task CreateKey_ForAnotherEnterprise_IsPermissionDeniedAndIssuesNothing()
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");
        var before = await StateAsync();

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.CreateKeyAsync(Globex, "acme", Ct));

        Assert.Equal(ErrorKind.PermissionDenied, refused.Problem.Kind);
        Assert.Equal(before, await StateAsync());
    }

    [Theory]
    [InlineData("acme")]
    [InlineData("admin")]
    public async Task CreateKey_ByTheEnterpriseOrTheAdmin_IssuesAKeyOfThatEnterprise(string caller)
    {
        await CreateAsync("acme", "88.168.1");

        var (_, keyId) = await _administration.CreateKeyAsync(caller == "admin" ? Caller.Admin : Acme, "acme", Ct);

        Assert.Equal("acme", (await _store.ListKeysAsync(Ct)).Single(k => k.Id == keyId).Enterprise);
    }

    [Fact]
    public async Task RevokeKey_AnotherEnterprisesKey_IsNotFoundAndTheKeyStaysLive()
    {
        var acmeKey = await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.RevokeKeyAsync(Globex, acmeKey, Ct));

        Assert.Equal(ErrorKind.NotFound, refused.Problem.Kind);
        Assert.Null((await _store.ListKeysAsync(Ct)).Single(k => k.Id == acmeKey).RevokedAt);
    }

    [Theory]
    [InlineData("acme")]
    [InlineData("admin")]
    public async Task RevokeKey_ByItsEnterpriseOrTheAdmin_RevokesIt(string caller)
    {
        var acmeKey = await CreateAsync("acme", "88.168.1");

        Assert.True(await _administration.RevokeKeyAsync(caller == "admin" ? Caller.Admin : Acme, acmeKey, Ct));

        Assert.Equal(_time.GetUtcNow(), (await _store.ListKeysAsync(Ct)).Single(k => k.Id == acmeKey).RevokedAt);
    }

    [Fact]
    public async Task ListKeys_AnotherEnterprisesKeys_IsPermissionDenied()
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.ListKeysAsync(Globex, "acme", includeRevoked: true, null, Ct));

        Assert.Equal(ErrorKind.PermissionDenied, refused.Problem.Kind);
    }

    [Theory]
    [InlineData("acme")]
    [InlineData("admin")]
    public async Task ListKeys_ByTheEnterpriseOrTheAdmin_ShowsItsKeysNewestFirstAndRevokedOnesWhenAsked(string caller)
    {
        var first = await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");
        _time.Advance(TimeSpan.FromMinutes(1));
        var (_, second) = await _administration.CreateKeyAsync(Acme, "acme", Ct);
        await _administration.RevokeKeyAsync(Acme, first, Ct);
        var who = caller == "admin" ? Caller.Admin : Acme;

        var live = await _administration.ListKeysAsync(who, "ACME", includeRevoked: false, null, Ct);
        var all = await _administration.ListKeysAsync(who, "acme", includeRevoked: true, null, Ct);

        Assert.Equal([second], live.Keys.Select(k => k.Id));
        Assert.False(live.More);
        Assert.Equal([second, first], all.Keys.Select(k => k.Id));
        Assert.Equal((DateTimeOffset?)_time.GetUtcNow(), all.Keys[1].RevokedAt);
    }

    [Fact]
    public async Task ListKeys_MoreThanAPageHolds_ListsTheNewestPageThenTheRestAfterItsLastKey()
    {
        var first = await CreateAsync("acme", "88.168.1");
        for (var i = 0; i < AccessAdministration.MaxKeysPerPage; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await _store.AddKeyAsync(ApiKeys.Create("acme", _time.GetUtcNow()).Stored, int.MaxValue, new AuditEntry(0, _time.GetUtcNow(), "admin", "create-key", "acme", null, null, "OK"), Ct);
        }

        var newest = await _administration.ListKeysAsync(Acme, "acme", includeRevoked: false, null, Ct);
        var rest = await _administration.ListKeysAsync(Acme, "acme", includeRevoked: false, newest.Keys[^1].Id, Ct);

        Assert.Equal((AccessAdministration.MaxKeysPerPage, true), (newest.Keys.Count, newest.More));
        Assert.Equal(_time.GetUtcNow(), newest.Keys[0].CreatedAt);
        Assert.Equal(first, Assert.Single(rest.Keys).Id);
        Assert.False(rest.More);
    }

    [Theory]
    [InlineData(64 * 1024, 512)]
    [InlineData(4 * 1024 * 1024, AccessAdministration.MaxKeysPerPage)]
    public void KeysPerPage_FitsAnAnswerWithinTheMessageLimit(long maxRecordBytes, int expected)
    {
        var administration = new AccessAdministration(_store, _accessDirectory, _prefixDirectory, _changes, new AuditTrail(_store, _time), ResolverLimits.Default with { MaxRecordBytes = maxRecordBytes }, _time);

        Assert.Equal(expected, administration.KeysPerPage);
    }

    [Fact]
    public async Task ListKeys_ExactlyAPageOfKeys_SaysNoMoreFollow_OneMoreSaysSo()
    {
        // 128 bytes of answer: a page of one key.
        var administration = new AccessAdministration(_store, _accessDirectory, _prefixDirectory, _changes, new AuditTrail(_store, _time), ResolverLimits.Default with { MaxRecordBytes = 128 }, _time);
        await CreateAsync("acme", "88.168.1");

        var exactlyOne = await administration.ListKeysAsync(Acme, "acme", includeRevoked: false, null, Ct);
        _time.Advance(TimeSpan.FromMinutes(1));
        await administration.CreateKeyAsync(Acme, "acme", Ct);
        var oneOfTwo = await administration.ListKeysAsync(Acme, "acme", includeRevoked: false, null, Ct);

        Assert.Equal((1, false), (exactlyOne.Keys.Count, exactlyOne.More));
        Assert.Equal((1, true), (oneOfTwo.Keys.Count, oneOfTwo.More));
    }

    [Fact]
    public async Task CreateKey_PastTheCap_IsFailedPreconditionTooManyKeysAndIssuesNothing()
    {
        var administration = new AccessAdministration(_store, _accessDirectory, _prefixDirectory, _changes, new AuditTrail(_store, _time), ResolverLimits.Default with { MaxKeysPerEnterprise = 1 }, _time);
        await CreateAsync("acme", "88.168.1");
        var before = await StateAsync();

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await administration.CreateKeyAsync(Acme, "acme", Ct));

        Assert.Equal((ErrorKind.FailedPrecondition, "too-many-keys"), (refused.Problem.Kind, refused.Problem.Reason));
        Assert.StartsWith("enterprise acme has 1 live API keys, the most this node allows (--max-keys-per-enterprise)", refused.Problem.Message, StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task ListKeys_BeforeAnotherEnterprisesKey_IsNotFound()
    {
        await CreateAsync("acme", "88.168.1");
        var globexKey = await CreateAsync("globex", "88.169.1");

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.ListKeysAsync(Acme, "acme", includeRevoked: true, globexKey, Ct));

        Assert.Equal((ErrorKind.NotFound, "key-not-found"), (refused.Problem.Kind, refused.Problem.Reason));
    }

    [Fact]
    public async Task ListKeys_Anonymous_IsUnauthenticatedBeforeItsArgumentsAreRead()
    {
        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.ListKeysAsync(Caller.Anonymous, "", includeRevoked: false, null, Ct));

        Assert.Equal(ErrorKind.Unauthenticated, refused.Problem.Kind);
    }

    [Fact]
    public async Task ListKeys_UnknownEnterprise_IsNotFound()
    {
        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.ListKeysAsync(Caller.Admin, "initech", includeRevoked: false, null, Ct));

        Assert.Equal(ErrorKind.NotFound, refused.Problem.Kind);
    }

    [Fact]
    public async Task ListEnterprises_ByAnEnterprise_IsPermissionDenied()
    {
        await CreateAsync("acme", "88.168.1");

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.ListEnterprisesAsync(Acme, Ct));

        Assert.Equal(ErrorKind.PermissionDenied, refused.Problem.Kind);
        Assert.Equal(["acme"], (await _administration.ListEnterprisesAsync(Caller.Admin, Ct)).Select(e => e.Enterprise.Name));
    }

    [Fact]
    public async Task ListAudit_ByAnEnterprise_IsPermissionDenied()
    {
        await CreateAsync("acme", "88.168.1");

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.ListAuditAsync(Acme, null, 10, Ct));

        Assert.Equal(ErrorKind.PermissionDenied, refused.Problem.Kind);
        Assert.NotEmpty(await _administration.ListAuditAsync(Caller.Admin, null, 10, Ct));
    }

    [Fact]
    public async Task ListGrants_ByAnEnterprise_ShowsOnlyGrantsItGaveOrReceived()
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");
        await CreateAsync("initech", "88.170.1");
        await _administration.GrantAsync(Acme, "globex", "88.168.1", [], Ct);
        await _administration.GrantAsync(Caller.Admin, "acme", "88.170.1", [], Ct);

        var seen = await _administration.ListGrantsAsync(Globex, Ct);

        Assert.Equal(["acme→globex"], seen.Select(g => $"{g.Owner}→{g.Grantee}"));
    }

    [Fact]
    public async Task Grant_UnderAnotherEnterprisesPrefix_IsPermissionDeniedAndGrantsNothing()
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.GrantAsync(Globex, "globex", "88.168.1", [], Ct));

        Assert.Equal(ErrorKind.PermissionDenied, refused.Problem.Kind);
        Assert.Empty(await _store.ListGrantsAsync(Ct));
    }

    [Fact]
    public async Task CreateEnterprise_ByAnEnterprise_IsPermissionDeniedAndCreatesNothing()
    {
        await CreateAsync("acme", "88.168.1");
        var before = await StateAsync();

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.CreateEnterpriseAsync(Acme, "globex", "88.169.1", Ct));

        Assert.Equal(ErrorKind.PermissionDenied, refused.Problem.Kind);
        Assert.Equal(before, await StateAsync());
    }

    [Theory]
    [InlineData("88.168.1", "prefix 88.168.1 already belongs to enterprise acme")]
    [InlineData("88.168.1.7", "prefix 88.168.1.7 already belongs to enterprise acme")]
    [InlineData("88.168", "prefix 88.168 contains 88.168.1, which belongs to enterprise acme")]
    public async Task CreateEnterprise_PrefixNestedWithAnOwnedOne_IsRefusedWritesNothingAndIsAudited(string prefix, string message)
    {
        await CreateAsync("acme", "88.168.1");
        var before = await StateAsync();

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.CreateEnterpriseAsync(Caller.Admin, "globex", prefix, Ct));

        Assert.Equal((ErrorKind.AlreadyExists, "prefix-owned"), (refused.Problem.Kind, refused.Problem.Reason));
        Assert.StartsWith(message, refused.Problem.Message, StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
        Assert.Equal(("create-enterprise", "globex", "ALREADY_EXISTS"), Newest(await _store.ListAuditAsync(null, 1, Ct)));
    }

    [Fact]
    public async Task CreateEnterprise_NameTaken_IsRefusedAndHomesNothing()
    {
        await CreateAsync("acme", "88.168.1");

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.CreateEnterpriseAsync(Caller.Admin, "ACME", "88.170.1", Ct));

        Assert.Equal((ErrorKind.AlreadyExists, "enterprise-exists"), (refused.Problem.Kind, refused.Problem.Reason));
        Assert.Equal(["88.168.1"], (await _prefixes.ListAsync(Ct)).Select(e => e.Prefix));
    }

    [Fact]
    public async Task CreateEnterprise_DelegatedPrefix_IsFailedPreconditionNamingTheSite()
    {
        await _prefixes.AddAsync(new PrefixEntry("88.168.1", PrefixKind.Delegated, ["https://site.example:5280"], _time.GetUtcNow()), Ct);

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.CreateEnterpriseAsync(Caller.Admin, "acme", "88.168.1", Ct));

        Assert.Equal((ErrorKind.FailedPrecondition, "prefix-delegated"), (refused.Problem.Kind, refused.Problem.Reason));
        Assert.Contains("https://site.example:5280", refused.Problem.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.ListEnterprisesAsync(Ct));
    }

    [Fact]
    public async Task CreateEnterprise_Allowed_OwnsThePrefixAndIsAuditedOnce()
    {
        var keyId = await CreateAsync("acme", "88.168.1");

        Assert.Equal("acme", (await _prefixDirectory.GetTableAsync(Ct)).FindOwner("88.168.1.5"));
        Assert.True((await _accessDirectory.GetAsync(Ct)).Keys.ContainsKey(keyId));
        Assert.Equal([("create-enterprise", "acme 88.168.1", "OK")], (await _store.ListAuditAsync(null, 10, Ct)).Select(Newest));
    }

    // Anonymous callers are told to authenticate, not that they may not: every entry point says UNAUTHENTICATED.
    public static TheoryData<string> AnonymousOperations => ["revoke-key", "list-grants", "grant", "revoke-grant", "create-key", "list-enterprises", "list-audit", "create-enterprise"];

    [Theory]
    [MemberData(nameof(AnonymousOperations))]
    public async Task AnyAdministration_ByAnAnonymousCaller_IsUnauthenticatedAndChangesNothing(string operation)
    {
        var keyId = await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");
        await _administration.GrantAsync(Acme, "globex", "88.168.1", [], Ct);
        var before = await StateAsync();
        var anonymous = Caller.Anonymous;

        var refused = await Assert.ThrowsAsync<ResolverException>(async () =>
        {
            switch (operation)
            {
                case "revoke-key": await _administration.RevokeKeyAsync(anonymous, keyId, Ct); break;
                case "list-grants": await _administration.ListGrantsAsync(anonymous, Ct); break;
                case "grant": await _administration.GrantAsync(anonymous, "globex", "88.168.1", [], Ct); break;
                case "revoke-grant": await _administration.RevokeGrantAsync(anonymous, "globex", "88.168.1", Ct); break;
                case "create-key": await _administration.CreateKeyAsync(anonymous, "acme", Ct); break;
                case "list-enterprises": await _administration.ListEnterprisesAsync(anonymous, Ct); break;
                case "list-audit": await _administration.ListAuditAsync(anonymous, null, 10, Ct); break;
                default: await _administration.CreateEnterpriseAsync(anonymous, "initech", "88.170.1", Ct); break;
            }
        });

        Assert.Equal(ErrorKind.Unauthenticated, refused.Problem.Kind);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task ListGrants_ByTheAdmin_ShowsEveryGrant()
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");
        await CreateAsync("initech", "88.170.1");
        await _administration.GrantAsync(Acme, "globex", "88.168.1", [], Ct);
        await _administration.GrantAsync(Globex, "initech", "88.169.1", ["URL"], Ct);

        var seen = await _administration.ListGrantsAsync(Caller.Admin, Ct);

        Assert.Equal(["acme→globex", "globex→initech"], seen.Select(g => $"{g.Owner}→{g.Grantee}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListEnterprises_ByTheAdmin_ShowsEachWithThePrefixesItOwns()
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");

        var listed = await _administration.ListEnterprisesAsync(Caller.Admin, Ct);

        Assert.Equal(["acme:88.168.1", "globex:88.169.1"], listed.Select(e => $"{e.Enterprise.Name}:{string.Join(',', e.Prefixes)}"));
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("anonymous")]
    [InlineData("SYSTEM")]
    [InlineData("")]
    [InlineData("-leading-dash")]
    public void CanonicalName_ReservedOrMalformed_IsInvalidArgument(string name) =>
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<ResolverException>(() => AccessAdministration.CanonicalName(name)).Problem.Kind);

    [Fact]
    public async Task CreateKey_ForAnEnterpriseThatDoesNotExist_IsNotFoundAndIssuesNothing()
    {
        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.CreateKeyAsync(Caller.Admin, "ghost", Ct));

        Assert.Equal((ErrorKind.NotFound, "enterprise-not-found"), (refused.Problem.Kind, refused.Problem.Reason));
        Assert.Empty(await _store.ListKeysAsync(Ct));
    }

    [Fact]
    public async Task Grant_ToAnEnterpriseThatDoesNotExist_IsNotFoundAndGrantsNothing()
    {
        await CreateAsync("acme", "88.168.1");

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.GrantAsync(Acme, "ghost", "88.168.1", [], Ct));

        Assert.Equal(ErrorKind.NotFound, refused.Problem.Kind);
        Assert.Empty(await _store.ListGrantsAsync(Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("URL\u0001")]
    public async Task Grant_WithAMalformedType_IsInvalidArgumentAndGrantsNothing(string type)
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.GrantAsync(Acme, "globex", "88.168.1", [System.Text.RegularExpressions.Regex.Unescape(type)], Ct));

        Assert.Equal((ErrorKind.InvalidArgument, "invalid-filter"), (refused.Problem.Kind, refused.Problem.Reason));
        Assert.Empty(await _store.ListGrantsAsync(Ct));
    }

    [Fact]
    public async Task Grant_Allowed_IsSeenAtOnceAnnouncedAndAudited()
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");
        await _accessDirectory.GetAsync(Ct); // a snapshot that would otherwise be trusted for 5 s
        var announcements = _changes.AccessChanges;

        await _administration.GrantAsync(Acme, "globex", "88.168.1", ["batch"], Ct);

        Assert.Single((await _accessDirectory.GetAsync(Ct)).GrantsOf("globex"));
        Assert.Equal(announcements + 1, _changes.AccessChanges);
        Assert.Equal(("grant", "acme→globex 88.168.1 [batch]", "OK"), Newest(await _store.ListAuditAsync(null, 1, Ct)));
    }

    [Fact]
    public async Task RevokeGrant_ByTheOwner_RemovesItAndAgainIsNotFound()
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");
        await _administration.GrantAsync(Acme, "globex", "88.168.1", [], Ct);

        Assert.True(await _administration.RevokeGrantAsync(Acme, "globex", "88.168.1", Ct));
        var again = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.RevokeGrantAsync(Acme, "globex", "88.168.1", Ct));

        Assert.Empty(await _store.ListGrantsAsync(Ct));
        Assert.Equal((ErrorKind.NotFound, "grant-not-found"), (again.Problem.Kind, again.Problem.Reason));
        Assert.Empty((await _accessDirectory.GetAsync(Ct)).GrantsOf("globex"));
    }

    [Fact]
    public async Task RevokeGrant_ByAnotherEnterprise_IsPermissionDeniedAndKeepsIt()
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");
        await _administration.GrantAsync(Acme, "globex", "88.168.1", [], Ct);

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.RevokeGrantAsync(Globex, "globex", "88.168.1", Ct));

        Assert.Equal(ErrorKind.PermissionDenied, refused.Problem.Kind);
        Assert.Single(await _store.ListGrantsAsync(Ct));
    }

    [Theory]
    [InlineData("admin", ErrorKind.FailedPrecondition)]
    [InlineData("acme", ErrorKind.PermissionDenied)]
    public async Task Grant_UnderAPrefixNobodyOwns_IsRefused(string caller, ErrorKind expected)
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");
        await _prefixes.AddAsync(new PrefixEntry("88.200", PrefixKind.Homed, [], _time.GetUtcNow()), Ct);

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.GrantAsync(caller == "admin" ? Caller.Admin : Acme, "globex", "88.200", [], Ct));

        Assert.Equal(expected, refused.Problem.Kind);
    }

    [Fact]
    public async Task RevokeKey_ByItsEnterprise_TheKeyStopsAuthenticatingAtOnceAndItIsAnnounced()
    {
        var keyId = await CreateAsync("acme", "88.168.1");
        Assert.True((await _accessDirectory.GetAsync(Ct)).Keys.ContainsKey(keyId));
        var announcements = _changes.AccessChanges;

        await _administration.RevokeKeyAsync(Acme, keyId, Ct);

        Assert.False((await _accessDirectory.GetAsync(Ct)).Keys.ContainsKey(keyId));
        Assert.Equal(announcements + 1, _changes.AccessChanges);
        Assert.Equal(("revoke-key", keyId, "OK"), Newest(await _store.ListAuditAsync(null, 1, Ct)));
    }

    [Fact]
    public async Task CreateEnterprise_Allowed_IsAnnouncedToOtherReplicas()
    {
        await CreateAsync("acme", "88.168.1");

        Assert.Equal((1, 1), (_changes.PrefixChanges, _changes.AccessChanges));
    }

    [Fact]
    public async Task CreateEnterprise_Allowed_IsSeenAtOnceByDirectoriesLoadedBefore()
    {
        await _prefixDirectory.GetTableAsync(Ct);
        await _accessDirectory.GetAsync(Ct);

        var keyId = await CreateAsync("acme", "88.168.1");
        await _administration.CreateEnterpriseAsync(Caller.Admin, "globex", null, Ct);

        Assert.Equal("acme", (await _prefixDirectory.GetTableAsync(Ct)).FindOwner("88.168.1"));
        Assert.True((await _accessDirectory.GetAsync(Ct)).Keys.ContainsKey(keyId));
        Assert.Equal(("create-enterprise", "globex", "OK"), Newest(await _store.ListAuditAsync(null, 1, Ct)));
    }

    [Fact]
    public async Task CreateKey_Allowed_AuthenticatesAtOnceAndIsAudited()
    {
        await CreateAsync("acme", "88.168.1");
        await _accessDirectory.GetAsync(Ct);

        var (_, keyId) = await _administration.CreateKeyAsync(Acme, "acme", Ct);

        Assert.True((await _accessDirectory.GetAsync(Ct)).Keys.ContainsKey(keyId));
        Assert.Equal(("create-key", $"acme {keyId}", "OK"), Newest(await _store.ListAuditAsync(null, 1, Ct)));
    }

    [Fact]
    public async Task RevokeGrant_Allowed_IsSeenAtOnceAndAudited()
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");
        await _administration.GrantAsync(Acme, "globex", "88.168.1", [], Ct);
        Assert.Single((await _accessDirectory.GetAsync(Ct)).GrantsOf("globex"));

        await _administration.RevokeGrantAsync(Acme, "globex", "88.168.1", Ct);

        Assert.Empty((await _accessDirectory.GetAsync(Ct)).GrantsOf("globex"));
        Assert.Equal(("revoke-grant", "acme→globex 88.168.1", "OK"), Newest(await _store.ListAuditAsync(null, 1, Ct)));
    }

    [Fact]
    public async Task Grant_ToItsOwner_IsInvalidArgument()
    {
        await CreateAsync("acme", "88.168.1");

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await _administration.GrantAsync(Acme, "acme", "88.168.1", [], Ct));

        Assert.Equal((ErrorKind.InvalidArgument, "self-grant"), (refused.Problem.Kind, refused.Problem.Reason));
    }

    [Theory]
    [InlineData(129, true)]
    [InlineData(130, false)]
    public async Task Grant_TypeLength_AllowsATypeWithItsTrailingDotAndNoMore(int length, bool allowed)
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");

        var call = async () => await _administration.GrantAsync(Acme, "globex", "88.168.1", [new string('t', length)], Ct);

        if (allowed)
        {
            await call();
            Assert.Single(await _store.ListGrantsAsync(Ct));
        }
        else
        {
            Assert.Equal(ErrorKind.InvalidArgument, (await Assert.ThrowsAsync<ResolverException>(call)).Problem.Kind);
        }
    }

    [Theory]
    [InlineData("create-enterprise")]
    [InlineData("grant")]
    public async Task Administration_MalformedPrefix_IsInvalidArgumentNamingTheRule(string operation)
    {
        await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");

        var refused = await Assert.ThrowsAsync<ResolverException>(async () =>
        {
            if (operation == "grant")
            {
                await _administration.GrantAsync(Acme, "globex", "88..1", [], Ct);
            }
            else
            {
                await _administration.CreateEnterpriseAsync(Caller.Admin, "initech", "88..1", Ct);
            }
        });

        Assert.Equal((ErrorKind.InvalidArgument, "empty-segment"), (refused.Problem.Kind, refused.Problem.Reason));
    }

    [Theory]
    [InlineData("create-key", "PERMISSION_DENIED")]
    [InlineData("revoke-key", "NOT_FOUND")]
    [InlineData("grant", "PERMISSION_DENIED")]
    [InlineData("revoke-grant", "PERMISSION_DENIED")]
    public async Task Administration_RefusedForAnotherEnterprise_IsAuditedUnderItsOperation(string operation, string outcome)
    {
        var acmeKey = await CreateAsync("acme", "88.168.1");
        await CreateAsync("globex", "88.169.1");

        await Assert.ThrowsAsync<ResolverException>(async () =>
        {
            switch (operation)
            {
                case "create-key": await _administration.CreateKeyAsync(Globex, "acme", Ct); break;
                case "revoke-key": await _administration.RevokeKeyAsync(Globex, acmeKey, Ct); break;
                case "grant": await _administration.GrantAsync(Globex, "globex", "88.168.1", [], Ct); break;
                default: await _administration.RevokeGrantAsync(Globex, "globex", "88.168.1", Ct); break;
            }
        });

        var newest = (await _store.ListAuditAsync(null, 1, Ct))[0];
        Assert.Equal(("enterprise:globex", operation, outcome), (newest.Actor, newest.Operation, newest.Outcome));
    }

    public void Dispose()
    {
        _prefixDirectory.Dispose();
        _accessDirectory.Dispose();
    }

    /// <summary>Creates an enterprise as the admin; returns its first key's id.</summary>
    private async Task<string> CreateAsync(string name, string prefix) =>
        (await _administration.CreateEnterpriseAsync(Caller.Admin, name, prefix, Ct)).KeyId;

    private static (string Operation, string Target, string Outcome) Newest(IReadOnlyList<AuditEntry> entries) => Newest(entries[0]);

    private static (string Operation, string Target, string Outcome) Newest(AuditEntry entry) => (entry.Operation, entry.Target, entry.Outcome);

    /// <summary>Everything but the audit log (which records refusals too).</summary>
    private async Task<string> StateAsync() => string.Join('\n',
        string.Join(' ', (await _store.ListEnterprisesAsync(Ct)).Select(e => e.Name)),
        string.Join(' ', (await _store.ListKeysAsync(Ct)).Select(k => $"{k.Id}:{k.Enterprise}:{k.RevokedAt}")),
        string.Join(' ', (await _store.ListGrantsAsync(Ct)).Select(g => $"{g.Owner}→{g.Grantee}:{g.Prefix}")),
        string.Join(' ', (await _prefixes.ListAsync(Ct)).Select(e => $"{e.Prefix}:{e.Owner}")));
}

/// <summary>Counts what administration announces to other replicas.</summary>
internal sealed class RecordingChangeNotifier : IChangeNotifier
{
    public int PrefixChanges { get; private set; }

    public int AccessChanges { get; private set; }

    public ValueTask RecordCommittedAsync(Core.Records.HandleRecord record, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask PrefixesChangedAsync(CancellationToken cancellationToken)
    {
        PrefixChanges++;
        return ValueTask.CompletedTask;
    }

    public ValueTask AccessChangedAsync(IReadOnlyList<AccessChange> changes, CancellationToken cancellationToken)
    {
        AccessChanges++;
        return ValueTask.CompletedTask;
    }
}
