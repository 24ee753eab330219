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
    public void Encode_IsTheLayoutEarlierReleasesWroteWithBinaryWriter()
    {
        var start = CacheHarness.Start;
        var record = new HandleRecord("88.1/a", "88.1/A", 42,
        [
            new HandleValue(1, "DESC", ValueData.FromText(new string('ü', 9000)), 60, start, ValuePermissions.Default, [new ValueReference("88.1/b", 2)]),
            new HandleValue(7, "blob", ValueData.FromBytes([0, 255, 7]), 0, start, ValuePermissions.AdminRead, []),
            new HandleValue(8, "", ValueData.FromText("\uD800"), 0, start, ValuePermissions.Default, []),
        ], start, start, start.AddDays(1));
        var entry = new CacheEntry(record, start.AddMinutes(1), start.AddHours(1));

        using var expected = new MemoryStream();
        expected.Write("0000000000000000042"u8);
        using (var writer = new BinaryWriter(expected, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)1);
            writer.Write(entry.FreshUntil.UtcTicks);
            writer.Write(entry.StaleUntil.UtcTicks);
            writer.Write(true);
            writer.Write(record.Key);
            writer.Write(record.Identifier);
            writer.Write(record.Version);
            writer.Write(start.UtcTicks);
            writer.Write(start.UtcTicks);
            writer.Write(start.AddDays(1).UtcTicks);
            writer.Write(3);
            writer.Write(1);
            writer.Write("DESC");
            writer.Write(true);
            writer.Write(new string('ü', 9000)); // 18,000 bytes: a three-group length
            writer.Write(60);
            writer.Write(start.UtcTicks);
            writer.Write((byte)ValuePermissions.Default);
            writer.Write(1);
            writer.Write("88.1/b");
            writer.Write(2);
            writer.Write(7);
            writer.Write("blob");
            writer.Write(false);
            writer.Write(3);
            writer.Write(new byte[] { 0, 255, 7 });
            writer.Write(0);
            writer.Write(start.UtcTicks);
            writer.Write((byte)ValuePermissions.AdminRead);
            writer.Write(0);
            writer.Write(8);
            writer.Write("");
            writer.Write(true);
            writer.Write("\uD800"); // a lone surrogate: U+FFFD's three bytes, from either writer
            writer.Write(0);
            writer.Write(start.UtcTicks);
            writer.Write((byte)ValuePermissions.Default);
            writer.Write(0);
        }

        Assert.Equal(Convert.ToHexString(expected.ToArray()), Convert.ToHexString(CacheEntryCodec.Encode(entry)));

        // And what an earlier release wrote reads back (a rolling upgrade shares Redis between both).
        var decoded = CacheEntryCodec.Decode(expected.ToArray())!;
        Assert.Equal((record.Key, record.Identifier, record.Version, record.DeletedAt), (decoded.Record!.Key, decoded.Record.Identifier, decoded.Record.Version, decoded.Record.DeletedAt));
        Assert.Equal(record.Values.Take(2).Select(v => (v.Index, v.Type, v.Data, v.Ttl, v.Timestamp, v.Permissions)), decoded.Record.Values.Take(2).Select(v => (v.Index, v.Type, v.Data, v.Ttl, v.Timestamp, v.Permissions)));
        Assert.Equal("\uFFFD", decoded.Record.Values[2].Data.Text);
        Assert.Equal(record.Values[0].References, decoded.Record.Values[0].References);
    }

    [Fact]
    public void Decode_EveryTruncationOfAnEntry_IsAMissNeverAnException()
    {
        var bytes = CacheEntryCodec.Encode(new CacheEntry(CacheHarness.Record("88.1/a", 42), CacheHarness.Start, CacheHarness.Start));

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Null(CacheEntryCodec.Decode(bytes.AsSpan(0, length)));
        }

        Assert.NotNull(CacheEntryCodec.Decode(bytes));
    }

    [Fact]
    public void Decode_ACountLargerThanTheBytesLeft_IsAMissWithoutAllocatingForIt()
    {
        var bytes = CacheEntryCodec.Encode(new CacheEntry(CacheHarness.Record("88.1/a", 42), CacheHarness.Start, CacheHarness.Start));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(ValueCountOffset), int.MaxValue);

        Assert.Null(CacheEntryCodec.Decode(bytes));
    }

    [Fact]
    public void Decode_ANegativeCount_IsAMiss()
    {
        var bytes = CacheEntryCodec.Encode(new CacheEntry(CacheHarness.Record("88.1/a", 42), CacheHarness.Start, CacheHarness.Start));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(ValueCountOffset), -1);

        Assert.Null(CacheEntryCodec.Decode(bytes));
    }

    [Fact]
    public void Decode_ALengthPast32Bits_IsAMiss_NotTheLengthItsLow32BitsSay()
    {
        var bytes = CacheEntryCodec.Encode(new CacheEntry(CacheHarness.Record("88.1/a", 42), CacheHarness.Start, CacheHarness.Start));
        const int keyLength = 19 + 1 + 8 + 8 + 1;
        Assert.Equal(6, bytes[keyLength]);

        // 6 + 2^32 in five groups: BinaryReader refuses it; read as 6 it would decode.
        byte[] overlong = [.. bytes.AsSpan(0, keyLength), 0x86, 0x80, 0x80, 0x80, 0x10, .. bytes.AsSpan(keyLength + 1)];

        Assert.Null(CacheEntryCodec.Decode(overlong));
    }

    [Fact]
    public void Decode_AnInstantOutOfRange_IsAMiss()
    {
        var bytes = CacheEntryCodec.Encode(new CacheEntry(CacheHarness.Record("88.1/a", 42), CacheHarness.Start, CacheHarness.Start));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(19 + 1), -5); // fresh-until

        Assert.Null(CacheEntryCodec.Decode(bytes));
    }

    // The record's value count follows the entry's header and the record's own.
    private const int ValueCountOffset = 19 + 1 + 8 + 8 + 1 + ((1 + 6) * 2) + (8 * 4);

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
