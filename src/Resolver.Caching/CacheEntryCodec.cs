using System.Globalization;
using System.Text;
using Resolver.Core.Records;

namespace Resolver.Caching;

/// <summary>
/// The compact binary form of a <see cref="CacheEntry"/> in Redis. It starts with the record version as
/// 19 ASCII digits so that the fill script can compare versions without decoding the rest.
/// </summary>
internal static class CacheEntryCodec
{
    public const int VersionDigits = 19;
    private const byte Format = 1;

    public static byte[] Encode(CacheEntry entry)
    {
        using var stream = new MemoryStream();
        stream.Write(Encoding.ASCII.GetBytes(entry.Version.ToString("D19", CultureInfo.InvariantCulture)));
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Format);
            writer.Write(entry.FreshUntil.UtcTicks);
            writer.Write(entry.StaleUntil.UtcTicks);
            writer.Write(entry.Record is not null);
            if (entry.Record is { } record)
            {
                Write(writer, record);
            }
        }

        return stream.ToArray();
    }

    /// <summary>The entry, or null when the bytes are not an entry this version understands (treated as a miss).</summary>
    public static CacheEntry? Decode(byte[] bytes)
    {
        if (bytes.Length <= VersionDigits || bytes[VersionDigits] != Format)
        {
            return null;
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, VersionDigits + 1, bytes.Length - VersionDigits - 1), Encoding.UTF8);
            var freshUntil = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var staleUntil = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var record = reader.ReadBoolean() ? Read(reader) : null;
            return new CacheEntry(record, freshUntil, staleUntil);
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }

    private static void Write(BinaryWriter writer, HandleRecord record)
    {
        writer.Write(record.Key);
        writer.Write(record.Identifier);
        writer.Write(record.Version);
        writer.Write(record.CreatedAt.UtcTicks);
        writer.Write(record.UpdatedAt.UtcTicks);
        writer.Write(record.DeletedAt?.UtcTicks ?? -1);
        writer.Write(record.Values.Count);
        foreach (var value in record.Values)
        {
            writer.Write(value.Index);
            writer.Write(value.Type);
            writer.Write(value.Data.IsText);
            if (value.Data.Text is { } text)
            {
                writer.Write(text);
            }
            else
            {
                writer.Write(value.Data.Bytes!.Length);
                writer.Write(value.Data.Bytes);
            }

            writer.Write(value.Ttl);
            writer.Write(value.Timestamp.UtcTicks);
            writer.Write((byte)value.Permissions);
            writer.Write(value.References.Count);
            foreach (var reference in value.References)
            {
                writer.Write(reference.Identifier);
                writer.Write(reference.Index);
            }
        }
    }

    private static HandleRecord Read(BinaryReader reader)
    {
        var key = reader.ReadString();
        var identifier = reader.ReadString();
        var version = reader.ReadInt64();
        var createdAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
        var updatedAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
        var deletedTicks = reader.ReadInt64();
        var values = new HandleValue[reader.ReadInt32()];
        for (var i = 0; i < values.Length; i++)
        {
            var index = reader.ReadInt32();
            var type = reader.ReadString();
            var data = reader.ReadBoolean() ? ValueData.FromText(reader.ReadString()) : ValueData.FromBytes(reader.ReadBytes(reader.ReadInt32()));
            var ttl = reader.ReadInt32();
            var timestamp = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var permissions = (ValuePermissions)reader.ReadByte();
            var references = new ValueReference[reader.ReadInt32()];
            for (var r = 0; r < references.Length; r++)
            {
                references[r] = new ValueReference(reader.ReadString(), reader.ReadInt32());
            }

            values[i] = new HandleValue(index, type, data, ttl, timestamp, permissions, references);
        }

        return new HandleRecord(key, identifier, version, values, createdAt, updatedAt, deletedTicks < 0 ? null : new DateTimeOffset(deletedTicks, TimeSpan.Zero));
    }
}
