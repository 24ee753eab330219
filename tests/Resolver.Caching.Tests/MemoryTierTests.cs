namespace Resolver.Caching.Tests;

public sealed class MemoryTierTests
{
    private static CacheEntry Entry(long version) =>
        new(version == 0 ? null : CacheHarness.Record("88.1/a", version), CacheHarness.Start.AddMinutes(1), CacheHarness.Start.AddHours(1));

    [Fact]
    public void Offer_OlderVersionAfterNewer_IsRefused()
    {
        using var tier = new MemoryTier(100);
        tier.Offer("88.1/a", Entry(3));

        tier.Offer("88.1/a", Entry(2));

        Assert.Equal(3, tier.Get("88.1/a")!.Version);
    }

    [Fact]
    public void Offer_AfterInvalidation_RefusesVersionsBelowTheAnnouncedOne()
    {
        using var tier = new MemoryTier(100);
        tier.Offer("88.1/a", Entry(1));

        // The race: a reader loaded version 1 before the write of version 2, and fills after its invalidation.
        tier.Invalidate("88.1/a", 2);
        tier.Offer("88.1/a", Entry(1));
        var afterStaleFill = tier.Get("88.1/a");
        tier.Offer("88.1/a", Entry(2));

        Assert.Null(afterStaleFill);
        Assert.Equal(2, tier.Get("88.1/a")!.Version);
    }

    [Fact]
    public void Invalidate_OlderThanTheHeldVersion_KeepsTheEntry()
    {
        using var tier = new MemoryTier(100);
        tier.Offer("88.1/a", Entry(5));

        tier.Invalidate("88.1/a", 4);

        Assert.Equal(5, tier.Get("88.1/a")!.Version);
    }

    [Fact]
    public void Offer_NegativeEntryAfterARecord_IsRefused()
    {
        using var tier = new MemoryTier(100);
        tier.Offer("88.1/a", Entry(1));

        tier.Offer("88.1/a", Entry(0));

        Assert.Equal(1, tier.Get("88.1/a")!.Version);
    }

    [Fact]
    public void Invalidate_OutOfOrderAnnouncements_NeverLowerTheFloor()
    {
        using var tier = new MemoryTier(100);

        tier.Invalidate("88.1/a", 5);
        tier.Invalidate("88.1/a", 4);
        tier.Offer("88.1/a", Entry(4));

        Assert.Null(tier.Get("88.1/a"));
    }
}
