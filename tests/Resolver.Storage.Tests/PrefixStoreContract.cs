using Resolver.Core.Errors;
using Resolver.Core.Prefixes;

namespace Resolver.Storage.Tests;

/// <summary>What every prefix store must do. Each store's test class derives from this and supplies a fresh, empty store.</summary>
public abstract class PrefixStoreContract
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An empty, migrated prefix store.</summary>
    protected abstract Task<IPrefixStore> CreateStoreAsync();

    [Fact]
    public async Task Add_SamePrefixTwice_KeepsTheFirstAndReportsNotCreated()
    {
        var store = await CreateStoreAsync();
        var first = new PrefixEntry("88.168.1", PrefixKind.Homed, [], At);

        var (_, created) = await store.AddAsync(first, Ct);
        var (existing, createdAgain) = await store.AddAsync(first with { CreatedAt = At.AddDays(1) }, Ct);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(At, existing.CreatedAt);
        Assert.Equal(["88.168.1"], (await store.ListAsync(Ct)).Select(e => e.Prefix));
    }

    [Fact]
    public async Task List_HomedAndDelegated_InCanonicalByteOrderWithEveryField()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(new PrefixEntry("88.2", PrefixKind.Homed, [], At), Ct);
        await store.AddAsync(new PrefixEntry("88.10", PrefixKind.Delegated, ["https://a.example:5443", "https://b.example:5443"], At.AddHours(1), Ttl: 120), Ct);
        await store.AddAsync(new PrefixEntry("88", PrefixKind.Homed, [], At.AddHours(2)), Ct);

        var listed = await store.ListAsync(Ct);

        Assert.Equal(["88", "88.10", "88.2"], listed.Select(e => e.Prefix));
        var delegated = listed[1];
        Assert.Equal((PrefixKind.Delegated, At.AddHours(1), (string?)null), (delegated.Kind, delegated.CreatedAt, delegated.Owner));
        Assert.Equal(["https://a.example:5443", "https://b.example:5443"], delegated.Endpoints);
        Assert.Equal([PrefixEntry.DefaultTtl, 120, PrefixEntry.DefaultTtl], listed.Select(e => e.Ttl));
    }

    [Fact]
    public async Task PutDelegation_NewPrefix_CreatesADelegationWithItsSitesAndTtl()
    {
        var store = await CreateStoreAsync();

        var (entry, created) = await store.PutDelegationAsync(Delegation("88.168.2", 600, "https://a.example:5443", "http://b.example:5280"), Ct);

        Assert.True(created);
        var listed = Assert.Single(await store.ListAsync(Ct));
        Assert.Equal(entry, listed with { Endpoints = entry.Endpoints });
        Assert.Equal(("88.168.2", PrefixKind.Delegated, At, 600), (listed.Prefix, listed.Kind, listed.CreatedAt, listed.Ttl));
        Assert.Equal(["https://a.example:5443", "http://b.example:5280"], listed.Endpoints);
    }

    [Fact]
    public async Task PutDelegation_Again_ReplacesSitesAndTtlAndKeepsTheCreationTime()
    {
        var store = await CreateStoreAsync();
        await store.PutDelegationAsync(Delegation("88.168.2", 600, "https://a.example:5443", "https://b.example:5443"), Ct);

        var (entry, created) = await store.PutDelegationAsync(Delegation("88.168.2", 60, "https://c.example:5443") with { CreatedAt = At.AddDays(1) }, Ct);

        Assert.False(created);
        var listed = Assert.Single(await store.ListAsync(Ct));
        Assert.Equal((At, 60), (entry.CreatedAt, entry.Ttl));
        Assert.Equal(["https://c.example:5443"], entry.Endpoints);
        Assert.Equal((PrefixKind.Delegated, At, 60), (listed.Kind, listed.CreatedAt, listed.Ttl));
        Assert.Equal(["https://c.example:5443"], listed.Endpoints);
    }

    [Fact]
    public async Task PutDelegation_HomedPrefix_IsFailedPreconditionAndLeavesItHomed()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(new PrefixEntry("88.168.1", PrefixKind.Homed, [], At, "acme"), Ct);
        var before = await store.ListAsync(Ct);

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await store.PutDelegationAsync(Delegation("88.168.1", 600, "https://a.example:5443"), Ct));

        Assert.Equal((ErrorKind.FailedPrecondition, "prefix-homed", "88.168.1"), (refused.Problem.Kind, refused.Problem.Reason, refused.Problem.Prefix));
        Assert.Equal(Describe(before), Describe(await store.ListAsync(Ct)));
    }

    [Fact]
    public async Task PutDelegation_UnderAHomedPrefix_IsAllowedAndLeavesTheParentHomed()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(new PrefixEntry("88.168", PrefixKind.Homed, [], At), Ct);

        var (_, created) = await store.PutDelegationAsync(Delegation("88.168.5", 600, "https://a.example:5443"), Ct);

        Assert.True(created);
        Assert.Equal(["88.168:Homed", "88.168.5:Delegated"], (await store.ListAsync(Ct)).Select(e => $"{e.Prefix}:{e.Kind}"));
    }

    [Fact]
    public async Task RemoveDelegation_Delegated_RemovesItOnlyAndAgainIsFalse()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(new PrefixEntry("88.168", PrefixKind.Homed, [], At), Ct);
        await store.PutDelegationAsync(Delegation("88.168.5", 600, "https://a.example:5443"), Ct);

        var removed = await store.RemoveDelegationAsync("88.168.5", Ct);
        var again = await store.RemoveDelegationAsync("88.168.5", Ct);

        Assert.True(removed);
        Assert.False(again);
        Assert.Equal(["88.168"], (await store.ListAsync(Ct)).Select(e => e.Prefix));
    }

    [Fact]
    public async Task RemoveDelegation_UnknownPrefix_IsFalse()
    {
        var store = await CreateStoreAsync();

        Assert.False(await store.RemoveDelegationAsync("88.404", Ct));
    }

    [Fact]
    public async Task RemoveDelegation_HomedPrefix_IsFailedPreconditionAndKeepsIt()
    {
        var store = await CreateStoreAsync();
        await store.AddAsync(new PrefixEntry("88.168.1", PrefixKind.Homed, [], At, "acme"), Ct);
        var before = await store.ListAsync(Ct);

        var refused = await Assert.ThrowsAsync<ResolverException>(async () => await store.RemoveDelegationAsync("88.168.1", Ct));

        Assert.Equal((ErrorKind.FailedPrecondition, "prefix-homed"), (refused.Problem.Kind, refused.Problem.Reason));
        Assert.Equal(Describe(before), Describe(await store.ListAsync(Ct)));
    }

    [Fact]
    public async Task Add_DelegatedPrefix_DoesNotReplaceIt()
    {
        var store = await CreateStoreAsync();
        await store.PutDelegationAsync(Delegation("88.168.1", 600, "https://a.example:5443"), Ct);

        var (existing, created) = await store.AddAsync(new PrefixEntry("88.168.1", PrefixKind.Homed, [], At), Ct);

        Assert.False(created);
        Assert.Equal((PrefixKind.Delegated, 600), (existing.Kind, existing.Ttl));
    }

    private static PrefixEntry Delegation(string prefix, int ttl, params string[] sites) => new(prefix, PrefixKind.Delegated, sites, At, Ttl: ttl);

    private static string Describe(IEnumerable<PrefixEntry> entries) =>
        string.Join('\n', entries.Select(e => $"{e.Prefix} {e.Kind} {string.Join(',', e.Endpoints)} {e.CreatedAt:O} {e.Owner} {e.Ttl}"));
}
