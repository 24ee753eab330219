using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Resolver.Core.Records;

namespace Resolver.Caching;

/// <summary>
/// The compact binary form of a <see cref="CacheEntry"/> in Redis. It starts with the record version as 19 ASCII digits
/// so that the fill script can compare versions without decoding the rest; then a format byte and the fields in
/// <see cref="BinaryWriter"/>'s layout (integers little-endian, booleans as one byte, strings as their UTF-8 length in
/// 7-bit groups and the bytes), the layout of the entries earlier releases wrote, so that replicas of either release read
/// each other's entries. Every L2 hit is decoded, straight from the bytes Redis answered: the only objects made are the
/// record's own.
/// </summary>
internal static class CacheEntryCodec
{
    public const int VersionDigits = 19;
    private const byte Format = 1;

    public static byte[] Encode(CacheEntry entry)
    {
        var output = new ArrayBufferWriter<byte>(512);
        var writer = new Writer(output);
        Encoding.ASCII.GetBytes(entry.Version.ToString("D19", CultureInfo.InvariantCulture), output);
        writer.Byte(Format);
        writer.Int64(entry.FreshUntil.UtcTicks);
        writer.Int64(entry.StaleUntil.UtcTicks);
        writer.Boolean(entry.Record is not null);
        if (entry.Record is { } record)
        {
            Write(writer, record);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>The entry, or null when the bytes are not an entry this version understands (treated as a miss).</summary>
    public static CacheEntry? Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= VersionDigits || bytes[VersionDigits] != Format)
        {
            return null;
        }

        try
        {
            var reader = new Reader(bytes[(VersionDigits + 1)..]);
            var freshUntil = reader.Instant();
            var staleUntil = reader.Instant();
            var record = reader.Boolean() ? Read(ref reader) : null;
            return new CacheEntry(record, freshUntil, staleUntil);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static void Write(Writer writer, HandleRecord record)
    {
        writer.String(record.Key);
        writer.String(record.Identifier);
        writer.Int64(record.Version);
        writer.Int64(record.CreatedAt.UtcTicks);
        writer.Int64(record.UpdatedAt.UtcTicks);
        writer.Int64(record.DeletedAt?.UtcTicks ?? -1);
        writer.Int32(record.Values.Count);
        foreach (var value in record.Values)
        {
            writer.Int32(value.Index);
            writer.String(value.Type);
            writer.Boolean(value.Data.IsText);
            if (value.Data.Text is { } text)
            {
                writer.String(text);
            }
            else
            {
                writer.Int32(value.Data.Bytes!.Length);
                writer.Bytes(value.Data.Bytes);
            }

            writer.Int32(value.Ttl);
            writer.Int64(value.Timestamp.UtcTicks);
            writer.Byte((byte)value.Permissions);
            writer.Int32(value.References.Count);
            foreach (var reference in value.References)
            {
                writer.String(reference.Identifier);
                writer.Int32(reference.Index);
            }
        }
    }

    private static HandleRecord Read(ref Reader reader)
    {
        var key = reader.String();
        var identifier = reader.String();
        var version = reader.Int64();
        var createdAt = reader.Instant();
        var updatedAt = reader.Instant();
        var deletedAt = reader.Int64() is var deletedTicks and >= 0 ? Reader.Instant(deletedTicks) : (DateTimeOffset?)null;
        var values = new HandleValue[reader.Count()];
        for (var i = 0; i < values.Length; i++)
        {
            var index = reader.Int32();
            var type = reader.String();
            var data = reader.Boolean() ? ValueData.FromText(reader.String()) : ValueData.FromBytes(reader.Bytes(reader.Count()));
            var ttl = reader.Int32();
            var timestamp = reader.Instant();
            var permissions = (ValuePermissions)reader.Byte();
            var references = new ValueReference[reader.Count()];
            for (var r = 0; r < references.Length; r++)
            {
                references[r] = new ValueReference(reader.String(), reader.Int32());
            }

            values[i] = new HandleValue(index, type, data, ttl, timestamp, permissions, references);
        }

        return new HandleRecord(key, identifier, version, values, createdAt, updatedAt, deletedAt);
    }

    private readonly struct Writer(IBufferWriter<byte> output)
    {
        public void Byte(byte value) => Bytes([value]);

        public void Boolean(bool value) => Byte(value ? (byte)1 : (byte)0);

        public void Int32(int value)
        {
            BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(sizeof(int)), value);
            output.Advance(sizeof(int));
        }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(sizeof(long)), value);
            output.Advance(sizeof(long));
        }

        public void String(string value)
        {
            var length = (uint)Encoding.UTF8.GetByteCount(value);
            for (; length >= 0x80; length >>= 7)
            {
                Byte((byte)(length | 0x80));
            }

            Byte((byte)length);
            Encoding.UTF8.GetBytes(value, output);
        }

        public void Bytes(ReadOnlySpan<byte> value) => output.Write(value);
    }

    // A read past the end, or a field no writer could have written, throws InvalidDataException: a truncated or corrupt
    // entry reads as a miss.
    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public byte Byte() => Take(1)[0];

        public bool Boolean() => Byte() != 0;

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(sizeof(int)));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(sizeof(long)));

        public DateTimeOffset Instant() => Instant(Int64());

        // UTC ticks, as DateTimeOffset.UtcTicks wrote them.
        public static DateTimeOffset Instant(long ticks) =>
            ticks >= 0 && ticks <= DateTime.MaxValue.Ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : throw new InvalidDataException();

        // A count of things still to read, each at least one byte: a corrupt count fails here instead of allocating.
        public int Count()
        {
            var count = Int32();
            return count >= 0 && count <= _rest.Length ? count : throw new InvalidDataException();
        }

        // The length as BinaryWriter writes it: four groups of seven bits at most, each byte's high bit saying another
        // follows, then a fifth of at most four bits. A length past int.MaxValue is negative, and Take refuses it.
        public string String()
        {
            var length = 0;
            for (var shift = 0; shift < 28; shift += 7)
            {
                var part = Byte();
                length |= (part & 0x7F) << shift;
                if (part < 0x80)
                {
                    return Encoding.UTF8.GetString(Take(length));
                }
            }

            var last = Byte();
            return last <= 0x0F ? Encoding.UTF8.GetString(Take(length | (last << 28))) : throw new InvalidDataException();
        }

        public ReadOnlySpan<byte> Bytes(int count) => Take(count);

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > _rest.Length)
            {
                throw new InvalidDataException();
            }

            var taken = _rest[..count];
            _rest = _rest[count..];
            return taken;
        }
    }
}
