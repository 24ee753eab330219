namespace Resolver.Caching.Tests;

public sealed class MemoryTierTests
{
    private static CacheEntry Entry(long version) =>
        new(version == 0 ? null : CacheHarness.Record("88.1/a", version), CacheHarness.Start.AddMinutes(1), CacheHarness.Start.AddHours(1));

    [Fact]
    public void Offer_OlderVersionAfterNewer_IsRefused()
    {
        using var tier = new MemoryTier(100L * 1024 * 1024, 100);
        tier.Offer("88.1/a", Entry(3));

        tier.Offer("88.1/a", Entry(2));

        Assert.Equal(3, tier.Get("88.1/a")!.Version);
    }

    [Fact]
    public void Offer_AfterInvalidation_RefusesVersionsBelowTheAnnouncedOne()
    {
        using var tier = new MemoryTier(100L * 1024 * 1024, 100);
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
        using var tier = new MemoryTier(100L * 1024 * 1024, 100);
        tier.Offer("88.1/a", Entry(5));

        tier.Invalidate("88.1/a", 4);

        Assert.Equal(5, tier.Get("88.1/a")!.Version);
    }

    [Fact]
    public void Offer_NegativeEntryAfterARecord_IsRefused()
    {
        using var tier = new MemoryTier(100L * 1024 * 1024, 100);
        tier.Offer("88.1/a", Entry(1));

        tier.Offer("88.1/a", Entry(0));

        Assert.Equal(1, tier.Get("88.1/a")!.Version);
    }

    [Fact]
    public void Invalidate_OutOfOrderAnnouncements_NeverLowerTheFloor()
    {
        using var tier = new MemoryTier(100L * 1024 * 1024, 100);

        tier.Invalidate("88.1/a", 5);
        tier.Invalidate("88.1/a", 4);
        tier.Offer("88.1/a", Entry(4));

        Assert.Null(tier.Get("88.1/a"));
    }

    [Fact]
    public void Offer_ManyLargeRecords_StaysWithinTheByteBudget()
    {
        const long budget = 1024 * 1024;
        using var tier = new MemoryTier(budget, 100_000);

        for (var i = 0; i < 200; i++)
        {
            tier.Offer($"88.1/big-{i}", new CacheEntry(CacheHarness.Record($"88.1/big-{i}", 1, data: new string('x', 40_000)), CacheHarness.Start.AddMinutes(1), CacheHarness.Start.AddHours(1)));
        }

        Assert.InRange(tier.EstimatedBytes, 1, budget);
    }

    [Fact]
    public void Offer_RecordLargerThanAnEighthOfTheBudget_IsNotKept()
    {
        using var tier = new MemoryTier(1024 * 1024, 100_000);

        tier.Offer("88.1/huge", new CacheEntry(CacheHarness.Record("88.1/huge", 1, data: new string('x', 70_000)), CacheHarness.Start.AddMinutes(1), CacheHarness.Start.AddHours(1)));

        Assert.Null(tier.Get("88.1/huge"));
    }

    [Fact]
    public void Offer_SmallRecordsBeyondTheEntryLimit_StayWithinIt()
    {
        using var tier = new MemoryTier(1024 * 1024, 10);

        for (var i = 0; i < 50; i++)
        {
            tier.Offer($"88.1/small-{i}", new CacheEntry(CacheHarness.Record($"88.1/small-{i}", 1), CacheHarness.Start.AddMinutes(1), CacheHarness.Start.AddHours(1)));
        }

        Assert.InRange(Enumerable.Range(0, 50).Count(i => tier.Get($"88.1/small-{i}") is not null), 1, 10);
    }

    [Fact]
    public void Invalidate_WhenTheCacheIsFull_StillRefusesTheOlderVersionAfterwards()
    {
        using var tier = new MemoryTier(24 * 1024, 10); // ten entries of the smallest charge (budget ÷ entries, above a small record's own) fill it
        for (var i = 0; i < 10; i++)
        {
            tier.Offer($"88.1/k{i}", new CacheEntry(CacheHarness.Record($"88.1/k{i}", 1), CacheHarness.Start.AddMinutes(1), CacheHarness.Start.AddHours(1)));
        }

        // A write of version 2; then a reader that loaded version 1 before it tries to fill.
        tier.Invalidate("88.1/k0", 2);
        tier.Offer("88.1/k0", new CacheEntry(CacheHarness.Record("88.1/k0", 1), CacheHarness.Start.AddMinutes(1), CacheHarness.Start.AddHours(1)));

        Assert.NotEqual(1, tier.Get("88.1/k0")?.Version);
        Assert.Equal(2, tier.KnownVersion("88.1/k0"));
    }
}
