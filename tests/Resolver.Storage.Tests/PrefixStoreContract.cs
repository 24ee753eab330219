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
        await store.AddAsync(new PrefixEntry("88.10", PrefixKind.Delegated, ["https://a.example:5443", "https://b.example:5443"], At.AddHours(1)), Ct);
        await store.AddAsync(new PrefixEntry("88", PrefixKind.Homed, [], At.AddHours(2)), Ct);

        var listed = await store.ListAsync(Ct);

        Assert.Equal(["88", "88.10", "88.2"], listed.Select(e => e.Prefix));
        var delegated = listed[1];
        Assert.Equal((PrefixKind.Delegated, At.AddHours(1), (string?)null), (delegated.Kind, delegated.CreatedAt, delegated.Owner));
        Assert.Equal(["https://a.example:5443", "https://b.example:5443"], delegated.Endpoints);
    }
}
