using Resolver.Core.Records;

namespace Resolver.Caching.Tests;

public sealed class CacheEntryCodecTests
{
    [Fact]
    public void EncodeDecode_RecordWithEveryKindOfValue_RoundTrips()
    {
        var start = CacheHarness.Start;
        var record = new HandleRecord("88.1/a", "88.1/A", 42,
        [
            new HandleValue(1, "URL", ValueData.FromText("https://例え.jp/ü"), 60, start, ValuePermissions.Default, []),
            new HandleValue(7, "blob", ValueData.FromBytes([0, 255, 7]), 0, start.AddTicks(3), ValuePermissions.AdminRead, [new ValueReference("88.1/b", 2)]),
        ], start, start.AddSeconds(1), start.AddSeconds(2));
        var entry = new CacheEntry(record, start.AddMinutes(1), start.AddHours(1));

        var decoded = CacheEntryCodec.Decode(CacheEntryCodec.Encode(entry))!;

        Assert.Equal((entry.FreshUntil, entry.StaleUntil, 42L), (decoded.FreshUntil, decoded.StaleUntil, decoded.Version));
        Assert.Equal(record with { Values = [] }, decoded.Record! with { Values = [] });
        Assert.Equal(record.Values.Select(v => (v.Index, v.Type, v.Data, v.Ttl, v.Timestamp, v.Permissions)), decoded.Record!.Values.Select(v => (v.Index, v.Type, v.Data, v.Ttl, v.Timestamp, v.Permissions)));
        Assert.Equal(record.Values[1].References, decoded.Record.Values[1].References);
    }

    [Fact]
    public void Encode_StartsWithTheVersionInNineteenDigits()
    {
        var bytes = CacheEntryCodec.Encode(new CacheEntry(CacheHarness.Record("88.1/a", 42), CacheHarness.Start, CacheHarness.Start));
        Assert.Equal("0000000000000000042", System.Text.Encoding.ASCII.GetString(bytes, 0, 19));
    }

    [Fact]
    public void Decode_NegativeEntryAndGarbage_AreHandled()
    {
        var negative = CacheEntryCodec.Decode(CacheEntryCodec.Encode(new CacheEntry(null, CacheHarness.Start, CacheHarness.Start)));

        Assert.NotNull(negative);
        Assert.Null(negative.Record);
        Assert.Null(CacheEntryCodec.Decode([1, 2, 3]));
        Assert.Null(CacheEntryCodec.Decode([.. new byte[19], 1, 0]));
    }
}
