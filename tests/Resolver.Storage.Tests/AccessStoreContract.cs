using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Security;

namespace Resolver.Storage.Tests;

/// <summary>
/// What every access store must do when creating an enterprise: check and write in one transaction, all or nothing.
/// Each store's test class derives from this and supplies a fresh, empty store.
/// </summary>
public abstract class AccessStoreContract
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An empty access store and the prefix store of the same database.</summary>
    protected abstract Task<(IAccessStore Access, IPrefixStore Prefixes)> CreateStoresAsync();

    [Fact]
    public async Task CreateEnterprise_FreeNameAndPrefix_CommitsEnterpriseOwnedPrefixKeyAndAudit()
    {
        var (access, prefixes) = await CreateStoresAsync();
        var key = Key("acme");

        var result = await access.CreateEnterpriseAsync(new Enterprise("acme", At), "88.168.1", key, Audit("acme 88.168.1"), Ct);

        Assert.Equal(EnterpriseCreation.Created, result);
        Assert.Equal([new Enterprise("acme", At)], await access.ListEnterprisesAsync(Ct));
        Assert.Equal([key.Id], (await access.ListKeysAsync(Ct)).Select(k => k.Id));
        var entry = Assert.Single(await prefixes.ListAsync(Ct));
        Assert.Equal(("88.168.1", PrefixKind.Homed, At, "acme"), (entry.Prefix, entry.Kind, entry.CreatedAt, entry.Owner));
        Assert.Empty(entry.Endpoints);
        Assert.Contains(await access.ListAuditAsync(null, 10, Ct), e => e is { Operation: "create-enterprise", Target: "acme 88.168.1", Outcome: "OK" });
    }

    [Fact]
    public async Task PointLookups_FindOneEnterpriseOrKeyByItsKey_RevokedKeysIncluded()
    {
        var (access, _) = await CreateStoresAsync();
        var key = Key("acme");
        await access.CreateEnterpriseAsync(new Enterprise("acme", At), null, key, Audit("acme"), Ct);
        await access.RevokeKeyAsync(key.Id, At.AddMinutes(1), Audit(key.Id), Ct);

        Assert.Equal(new Enterprise("acme", At), await access.GetEnterpriseAsync("acme", Ct));
        Assert.Null(await access.GetEnterpriseAsync("acm", Ct));
        var found = await access.GetKeyAsync(key.Id, Ct);
        Assert.Equal(("acme", (DateTimeOffset?)At.AddMinutes(1)), (found!.Enterprise, found.RevokedAt));
        Assert.Null(await access.GetKeyAsync(key.Id[..^1] + (key.Id[^1] == '_' ? '-' : '_'), Ct)); // one character off, never the id itself
    }

    [Fact]
    public async Task AdministrativeWrites_EachCommitItsAuditRow_AndWritesThatChangeNothingWriteNone()
    {
        var (access, _) = await CreateStoresAsync();
        await access.CreateEnterpriseAsync(new Enterprise("acme", At), null, Key("acme"), Audit("acme"), Ct);
        var key = Key("acme");
        var grant = new ReadGrant("acme", "globex", "88.168.1", ["URL"], At);

        Assert.True(await access.AddKeyAsync(key, 10, Audit("add-key"), Ct));
        await access.PutGrantAsync(grant, Audit("put-grant"), Ct);
        Assert.True(await access.RevokeKeyAsync(key.Id, At, Audit("revoke-key"), Ct));
        Assert.False(await access.RevokeKeyAsync(key.Id, At, Audit("revoke-again"), Ct));
        Assert.True(await access.RemoveGrantAsync("acme", "globex", "88.168.1", Audit("remove-grant"), Ct));
        Assert.False(await access.RemoveGrantAsync("acme", "globex", "88.168.1", Audit("remove-again"), Ct));

        var targets = (await access.ListAuditAsync(null, 10, Ct)).Select(e => e.Target).Reverse();
        Assert.Equal(["acme", "add-key", "put-grant", "revoke-key", "remove-grant"], targets);
    }

    [Fact]
    public async Task AddKey_SixteenAtOnceAgainstACap_AddsExactlyUpToItAndRevokedKeysDoNotCount()
    {
        var (access, _) = await CreateStoresAsync();
        var first = Key("acme");
        await access.CreateEnterpriseAsync(new Enterprise("acme", At), null, first, Audit("acme"), Ct);
        await access.CreateEnterpriseAsync(new Enterprise("globex", At), null, Key("globex"), Audit("globex"), Ct);
        await access.RevokeKeyAsync(first.Id, At, Audit("revoke"), Ct);

        // 40 attempts, 16 at a time, against a cap of 10 live keys: the revoked first key leaves room for all 10.
        using var running = new SemaphoreSlim(16);
        var added = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            await running.WaitAsync(Ct);
            try
            {
                return await access.AddKeyAsync(Key("acme"), 10, Audit($"add-{i}"), Ct);
            }
            finally
            {
                running.Release();
            }
        }));

        Assert.Equal(10, added.Count(a => a));
        var live = await access.ListLiveKeysAsync(Ct);
        Assert.Equal(10, live.Count(k => k.Enterprise == "acme"));
        Assert.DoesNotContain(live, k => k.Id == first.Id);
        Assert.Single(live, k => k.Enterprise == "globex");
        Assert.Equal(10, (await access.ListAuditAsync(null, 100, Ct)).Count(e => e.Target.StartsWith("add-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ListKeys_OneEnterprisesKeysNewestFirst_RevokedOnlyWhenAskedAndAtMostTheLimit()
    {
        var (access, _) = await CreateStoresAsync();
        await access.CreateEnterpriseAsync(new Enterprise("acme", At), null, Key("acme"), Audit("acme"), Ct);
        await access.CreateEnterpriseAsync(new Enterprise("globex", At), null, Key("globex"), Audit("globex"), Ct);
        var issued = new List<ApiKey>();
        for (var minute = 1; minute <= 4; minute++)
        {
            var key = ApiKeys.Create("acme", At.AddMinutes(minute)).Stored;
            await access.AddKeyAsync(key, 100, Audit($"add-{minute}"), Ct);
            issued.Add(key);
        }

        await access.RevokeKeyAsync(issued[2].Id, At.AddMinutes(10), Audit("revoke"), Ct);

        var live = await access.ListKeysAsync("acme", includeRevoked: false, null, 100, Ct);
        var all = await access.ListKeysAsync("acme", includeRevoked: true, null, 100, Ct);
        var newestTwo = await access.ListKeysAsync("acme", includeRevoked: true, null, 2, Ct);

        Assert.Equal([issued[3].Id, issued[1].Id, issued[0].Id], live.Take(3).Select(k => k.Id));
        Assert.Equal(4, live.Count); // and the first key, issued with the enterprise
        Assert.Equal([issued[3].Id, issued[2].Id, issued[1].Id, issued[0].Id], all.Take(4).Select(k => k.Id));
        Assert.Equal((DateTimeOffset?)At.AddMinutes(10), all[1].RevokedAt);
        Assert.All(all, k => Assert.Equal("acme", k.Enterprise));
        Assert.Equal([issued[3].Id, issued[2].Id], newestTwo.Select(k => k.Id));
        Assert.Empty(await access.ListKeysAsync("initech", includeRevoked: true, null, 100, Ct));
    }

    [Fact]
    public async Task ListKeys_PageByPage_NeitherSkipsNorRepeatsAKeyAlthoughSomeShareTheirIssueTime()
    {
        var (access, _) = await CreateStoresAsync();
        var first = Key("acme");
        await access.CreateEnterpriseAsync(new Enterprise("acme", At), null, first, Audit("acme"), Ct);
        var issued = new List<string> { first.Id };
        for (var i = 0; i < 11; i++)
        {
            var key = ApiKeys.Create("acme", At.AddMinutes(i / 3)).Stored; // three keys a minute
            await access.AddKeyAsync(key, 100, Audit($"add-{i}"), Ct);
            issued.Add(key.Id);
        }

        var listed = new List<ApiKey>();
        ApiKey? before = null;
        int[] pageSizes = [4, 4, 4, 0];
        for (var page = 0; page < pageSizes.Length; page++)
        {
            var keys = await access.ListKeysAsync("acme", includeRevoked: false, before, 4, Ct);
            Assert.Equal(pageSizes[page], keys.Count);
            listed.AddRange(keys);
            before = keys.Count > 0 ? keys[^1] : null;
        }

        Assert.Equal(issued.Order(StringComparer.Ordinal), listed.Select(k => k.Id).Order(StringComparer.Ordinal));
        Assert.Equal(listed.Select(k => k.CreatedAt).OrderDescending(), listed.Select(k => k.CreatedAt));
    }

    [Fact]
    public async Task ListGrantsTo_ReturnsTheGranteesGrantsFromEveryOwnerOnly()
    {
        var (access, _) = await CreateStoresAsync();
        await access.PutGrantAsync(new ReadGrant("acme", "globex", "88.168.1", ["URL"], At), Audit("g1"), Ct);
        await access.PutGrantAsync(new ReadGrant("initech", "globex", "88.168.2", [], At), Audit("g2"), Ct);
        await access.PutGrantAsync(new ReadGrant("acme", "initech", "88.168.1", [], At), Audit("g3"), Ct);

        var grants = await access.ListGrantsToAsync("globex", Ct);

        Assert.Equal(["acme 88.168.1", "initech 88.168.2"], grants.Select(g => $"{g.Owner} {g.Prefix}").Order(StringComparer.Ordinal));
        Assert.Empty(await access.ListGrantsToAsync("acme", Ct));
    }

    [Fact]
    public async Task CreateEnterprise_WithoutPrefix_CommitsEnterpriseAndKeyOnly()
    {
        var (access, prefixes) = await CreateStoresAsync();

        var result = await access.CreateEnterpriseAsync(new Enterprise("acme", At), null, Key("acme"), Audit("acme"), Ct);

        Assert.Equal(EnterpriseCreation.Created, result);
        Assert.Single(await access.ListEnterprisesAsync(Ct));
        Assert.Single(await access.ListKeysAsync(Ct));
        Assert.Empty(await prefixes.ListAsync(Ct));
    }

    [Fact]
    public async Task CreateEnterprise_PrefixHomedWithoutOwner_KeepsTheEntryAndSetsItsOwner()
    {
        var (access, prefixes) = await CreateStoresAsync();
        await prefixes.AddAsync(new PrefixEntry("88.168.1", PrefixKind.Homed, [], At.AddDays(-1)), Ct);

        var result = await access.CreateEnterpriseAsync(new Enterprise("acme", At), "88.168.1", Key("acme"), Audit("acme 88.168.1"), Ct);

        Assert.Equal(EnterpriseCreation.Created, result);
        var entry = Assert.Single(await prefixes.ListAsync(Ct));
        Assert.Equal(("88.168.1", At.AddDays(-1), "acme"), (entry.Prefix, entry.CreatedAt, entry.Owner));
    }

    [Theory]
    [InlineData("88.168.1", "88.168.1")] // the same prefix
    [InlineData("88.168.1.7", "88.168.1")] // under it: an enterprise owns its sub-prefixes
    [InlineData("88.168", "88.168.1")] // above it: owned prefixes never nest
    public async Task CreateEnterprise_PrefixNestedWithAnOwnedOne_IsPrefixOwnedAndWritesNothing(string requested, string owned)
    {
        var (access, prefixes) = await CreateStoresAsync();
        await access.CreateEnterpriseAsync(new Enterprise("first", At), owned, Key("first"), Audit("first"), Ct);
        var before = await StateAsync(access, prefixes);

        var result = await access.CreateEnterpriseAsync(new Enterprise("second", At), requested, Key("second"), Audit("second"), Ct);

        Assert.Equal(new EnterpriseCreation(EnterpriseCreationOutcome.PrefixOwned, owned, "first"), result);
        Assert.Equal(before, await StateAsync(access, prefixes));
    }

    [Fact]
    public async Task CreateEnterprise_SeveralOwnersAbove_NamesTheNearest()
    {
        var (access, prefixes) = await CreateStoresAsync();
        await prefixes.AddAsync(new PrefixEntry("88.1", PrefixKind.Homed, [], At, "far"), Ct);
        await prefixes.AddAsync(new PrefixEntry("88.1.2", PrefixKind.Homed, [], At, "near"), Ct);

        var result = await access.CreateEnterpriseAsync(new Enterprise("second", At), "88.1.2.3", Key("second"), Audit("second"), Ct);

        Assert.Equal(new EnterpriseCreation(EnterpriseCreationOutcome.PrefixOwned, "88.1.2", "near"), result);
    }

    [Theory]
    [InlineData("88.168.10")] // shares the text "88.168.1" but is a sibling
    [InlineData("88.169")]
    public async Task CreateEnterprise_PrefixBesideAnOwnedOne_IsCreated(string requested)
    {
        var (access, _) = await CreateStoresAsync();
        await access.CreateEnterpriseAsync(new Enterprise("first", At), "88.168.1", Key("first"), Audit("first"), Ct);

        var result = await access.CreateEnterpriseAsync(new Enterprise("second", At), requested, Key("second"), Audit("second"), Ct);

        Assert.Equal(EnterpriseCreation.Created, result);
    }

    [Fact]
    public async Task CreateEnterprise_NameTaken_IsNameTakenAndWritesNothing()
    {
        var (access, prefixes) = await CreateStoresAsync();
        await access.CreateEnterpriseAsync(new Enterprise("acme", At), "88.168.1", Key("acme"), Audit("acme"), Ct);
        var before = await StateAsync(access, prefixes);

        var result = await access.CreateEnterpriseAsync(new Enterprise("acme", At.AddDays(1)), "88.170.1", Key("acme"), Audit("acme again"), Ct);

        Assert.Equal(EnterpriseCreation.NameTaken, result);
        Assert.Equal(before, await StateAsync(access, prefixes));
    }

    [Fact]
    public async Task CreateEnterprise_DelegatedPrefix_IsPrefixDelegatedAndWritesNothing()
    {
        var (access, prefixes) = await CreateStoresAsync();
        await prefixes.AddAsync(new PrefixEntry("88.168.1", PrefixKind.Delegated, ["https://site.example:5280"], At), Ct);
        var before = await StateAsync(access, prefixes);

        var result = await access.CreateEnterpriseAsync(new Enterprise("acme", At), "88.168.1", Key("acme"), Audit("acme"), Ct);

        Assert.Equal(new EnterpriseCreation(EnterpriseCreationOutcome.PrefixDelegated, "88.168.1"), result);
        Assert.Equal(before, await StateAsync(access, prefixes));
    }

    [Fact]
    public async Task CreateEnterprise_FailingPartWay_WritesNothing()
    {
        var (access, prefixes) = await CreateStoresAsync();
        var taken = Key("first");
        await access.CreateEnterpriseAsync(new Enterprise("first", At), null, taken, Audit("first"), Ct);
        var before = await StateAsync(access, prefixes);

        // A key id that exists already fails the key's insert, after the enterprise and prefix rows were written.
        var failure = await Assert.ThrowsAsync<ResolverException>(async () =>
            await access.CreateEnterpriseAsync(new Enterprise("second", At), "88.168.1", taken with { Enterprise = "second" }, Audit("second"), Ct));

        Assert.Equal(ErrorKind.Unavailable, failure.Problem.Kind);
        Assert.Equal(before, await StateAsync(access, prefixes));
    }

    [Fact]
    public async Task CreateEnterprise_RacingForNestedPrefixes_NeverBothCreated()
    {
        var (access, prefixes) = await CreateStoresAsync();

        for (var pair = 0; pair < 10; pair++)
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var outer = Task.Run(async () => { await gate.Task; return await access.CreateEnterpriseAsync(new Enterprise($"outer{pair}", At), $"88.300.{pair}", Key($"outer{pair}"), Audit("outer"), Ct); }, Ct);
            var inner = Task.Run(async () => { await gate.Task; return await access.CreateEnterpriseAsync(new Enterprise($"inner{pair}", At), $"88.300.{pair}.1", Key($"inner{pair}"), Audit("inner"), Ct); }, Ct);
            gate.SetResult();

            var outcomes = (await Task.WhenAll(outer, inner)).Select(r => r.Outcome).Order().ToList();

            Assert.Equal([EnterpriseCreationOutcome.Created, EnterpriseCreationOutcome.PrefixOwned], outcomes);
        }

        // One owner per pair, and only the winner's enterprise exists.
        var owned = (await prefixes.ListAsync(Ct)).Where(e => e.Owner is not null).ToList();
        Assert.Equal(10, owned.Count);
        Assert.Equal(owned.Select(e => e.Owner).Order(), (await access.ListEnterprisesAsync(Ct)).Select(e => e.Name).Order());
    }

    private static ApiKey Key(string enterprise) => ApiKeys.Create(enterprise, At).Stored;

    private static AuditEntry Audit(string target) => new(0, At, "admin", "create-enterprise", target, null, null, "OK");

    /// <summary>Everything a creation writes: enterprises, keys, prefixes and the audit log.</summary>
    private static async Task<string> StateAsync(IAccessStore access, IPrefixStore prefixes) => string.Join('\n',
        string.Join(' ', (await access.ListEnterprisesAsync(Ct)).Select(e => e.Name)),
        string.Join(' ', (await access.ListKeysAsync(Ct)).Select(k => $"{k.Id}:{k.Enterprise}")),
        string.Join(' ', (await prefixes.ListAsync(Ct)).Select(e => $"{e.Prefix}:{e.Kind}:{e.Owner}")),
        string.Join(' ', (await access.ListAuditAsync(null, 100, Ct)).Select(e => $"{e.Sequence}:{e.Target}")));
}
