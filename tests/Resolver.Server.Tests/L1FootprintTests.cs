using System.Globalization;
using Resolver.Caching;
using Resolver.Core.Records;
using Resolver.Server.Api;

namespace Resolver.Server.Tests;

/// <summary>
/// --l1-max-mb bounds memory only if each entry is charged at least what it keeps on the heap: the record as the store
/// read it, the cache's bookkeeping, and the answer message built from the record on its first hit. Measured as what
/// building and keeping the entries allocates on this thread (an upper bound of what they keep).
/// </summary>
public sealed class L1FootprintTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Bytes = new byte[4096]; // copied by each value: no temporary array of the test's own counts

    [Theory]
    [InlineData(0, 0, false)]      // a tombstone
    [InlineData(1, 20, false)]     // one short URL
    [InlineData(3, 200, false)]    // the benchmark dataset's shape
    [InlineData(10, 2000, false)]
    [InlineData(3, 200, true)]     // binary data is copied into the answer
    [InlineData(40, 8, false)]     // many tiny values
    public void Charge_CoversWhatEachEntryKeeps(int values, int dataBytes, bool binary)
    {
        const int entries = 2000;
        using var tier = new MemoryTier(maxBytes: 1L << 40, maxEntries: int.MaxValue);
        var answers = new Protocol.V1.Record[entries];
        var options = new CacheOptions();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < entries; i++)
        {
            var record = Record(i, values, dataBytes, binary);
            tier.Offer(record.Key, CacheEntry.For(record, Now, options));
            answers[i] = values == 0 ? null! : RecordAnswers.Of(record); // a tombstone is answered NOT_FOUND, without a message
        }

        var kept = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(answers);

        Assert.True(tier.EstimatedBytes >= kept, $"{entries} entries charged {tier.EstimatedBytes / entries} bytes each, but keeping them took {kept / entries}");
    }

    // A record as a store read materialises it: fresh strings and lists, nothing shared with another record.
    private static HandleRecord Record(int i, int values, int dataBytes, bool binary)
    {
        var identifier = string.Create(CultureInfo.InvariantCulture, $"88.100.{i % 1000}/item-{i:D9}");
        var list = new List<HandleValue>(values);
        for (var v = 0; v < values; v++)
        {
            var data = binary ? ValueData.FromBytes(Bytes.AsSpan(0, dataBytes)) : ValueData.FromText(new string((char)('a' + (v % 26)), dataBytes));
            list.Add(new HandleValue(v + 1, string.Create(CultureInfo.InvariantCulture, $"TYPE{v}"), data, 86400, Now, ValuePermissions.Default, []));
        }

        return new HandleRecord(identifier, new string(identifier.AsSpan()), 1, list.AsReadOnly(), Now, Now, values == 0 ? Now : null);
    }
}
