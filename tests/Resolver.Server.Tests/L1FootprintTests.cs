using System.Globalization;
using Resolver.Caching;
using Resolver.Core.Records;
using Resolver.Server.Api;

namespace Resolver.Server.Tests;

/// <summary>
/// --l1-max-mb bounds memory only if each entry is charged at least what it keeps on the heap: the record as the store
/// read it, the cache's bookkeeping, and the answer message built from the record on its first hit and encoded on its
/// second. Measured as what building and keeping the entries allocates on this thread (an upper bound of what they keep).
/// </summary>
public sealed class L1FootprintTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Bytes = new byte[4096]; // copied by each value: no temporary array of the test's own counts

    [Theory]
    [InlineData(0, 0, false, 0)]      // a tombstone
    [InlineData(1, 20, false, 0)]     // one short URL
    [InlineData(3, 200, false, 0)]    // the benchmark dataset's shape
    [InlineData(10, 2000, false, 0)]
    [InlineData(3, 200, true, 0)]     // binary data is copied into the answer
    [InlineData(40, 8, false, 0)]     // many tiny values
    [InlineData(4, 16, false, 20)]    // values full of references
    public void Charge_CoversWhatEachEntryKeeps_AndNotMuchMore(int values, int dataBytes, bool binary, int references)
    {
        const int entries = 2000;
        var evictions = 0;
        var options = new CacheOptions();
        long charged = 0, kept = long.MaxValue;
        // Three times over, each on a tier of its own, keeping the least: RecordAnswers' table is shared with every other
        // test in this process, and its occasional growth (a copy of the whole table) may land in one window, not in all.
        for (var repetition = 0; repetition < 3; repetition++)
        {
            using var tier = new MemoryTier(maxBytes: 1L << 40, maxEntries: int.MaxValue, evicted: () => evictions++); // as CacheTiers builds it
            var answers = new Protocol.V1.Record?[entries];
            Keep(tier, Record(-1, values, dataBytes, binary, references), options); // first use of each type: not an entry's cost

            var chargedBefore = tier.EstimatedBytes;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < entries; i++)
            {
                answers[i] = Keep(tier, Record(i, values, dataBytes, binary, references), options);
            }

            kept = Math.Min(kept, GC.GetAllocatedBytesForCurrentThread() - before);
            charged = tier.EstimatedBytes - chargedBefore;
            GC.KeepAlive(answers);
        }

        Assert.True(charged >= kept, $"entries charged {charged / entries} bytes each, but keeping them took {kept / entries}");
        Assert.True(charged <= kept * 2, $"entries charged {charged / entries} bytes each, over twice the {kept / entries} they keep: the budget would hold half what it could");
        Assert.Equal(0, evictions);
    }

    // What resolutions do to a record read from the store: fill L1, then build its answer on the first hit and that
    // answer's encoding on the second (a tombstone is answered NOT_FOUND, without a message).
    private static Protocol.V1.Record? Keep(MemoryTier tier, HandleRecord record, CacheOptions options)
    {
        tier.Offer(record.Key, CacheEntry.For(record, Now, options));
        if (record.IsDeleted)
        {
            return null;
        }

        _ = RecordAnswers.Of(record);
        return RecordAnswers.Of(record);
    }

    // A record as a store read materialises it: fresh strings and lists, nothing shared with another record.
    private static HandleRecord Record(int i, int values, int dataBytes, bool binary, int references)
    {
        var identifier = string.Create(CultureInfo.InvariantCulture, $"88.100.{i % 1000}/item-{i:D9}");
        var list = new List<HandleValue>(values);
        for (var v = 0; v < values; v++)
        {
            var data = binary ? ValueData.FromBytes(Bytes.AsSpan(0, dataBytes)) : ValueData.FromText(new string((char)('a' + (v % 26)), dataBytes));
            IReadOnlyList<ValueReference> referenced = references == 0 ? [] : [.. Enumerable.Range(0, references).Select(r => new ValueReference(string.Create(CultureInfo.InvariantCulture, $"88.100.1/part-{r:D6}"), r + 1))];
            list.Add(new HandleValue(v + 1, string.Create(CultureInfo.InvariantCulture, $"TYPE{v}"), data, 86400, Now, ValuePermissions.Default, referenced));
        }

        return new HandleRecord(identifier, new string(identifier.AsSpan()), 1, list.AsReadOnly(), Now, Now, values == 0 ? Now : null);
    }
}
