using System.Text;
using Resolver.Core.Records;

namespace Resolver.Handle;

/// <summary>
/// A handle value on the wire (RFC 3652 §2.2.3 as CNRI encodes it): index, timestamp (seconds since the Unix epoch),
/// TTL type (0 relative, 1 absolute), TTL, permission bits (admin read, admin write, public read, public write), type,
/// data, references. The translation between that and this node's <see cref="HandleValue"/>.
/// </summary>
public static class WireValue
{
    private const byte RelativeTtl = 0, AbsoluteTtl = 1;
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Bytes <paramref name="value"/> takes on the wire.</summary>
    public static int Size(HandleValue value)
    {
        var size = 4 + 4 + 1 + 4 + 1 + 4 + Encoding.UTF8.GetByteCount(value.Type) + 4 + value.Data.ByteCount + 4;
        foreach (var reference in value.References)
        {
            size += 4 + Encoding.UTF8.GetByteCount(reference.Identifier) + 4;
        }

        return size;
    }

    internal static void Write(BodyWriter writer, HandleValue value)
    {
        writer.WriteInt32(value.Index);
        writer.WriteInt32((int)Math.Clamp(value.Timestamp.ToUnixTimeSeconds(), 0, int.MaxValue));
        writer.WriteByte(RelativeTtl);
        writer.WriteInt32(value.Ttl);
        writer.WriteByte((byte)value.Permissions);
        writer.WriteString(value.Type);
        if (value.Data.Text is { } text)
        {
            writer.WriteString(text);
        }
        else
        {
            writer.WriteBytes(value.Data.Bytes);
        }

        writer.WriteInt32(value.References.Count);
        foreach (var reference in value.References)
        {
            writer.WriteString(reference.Identifier);
            writer.WriteInt32(reference.Index);
        }
    }

    /// <summary>
    /// Reads one value. An absolute TTL becomes the seconds left until it at <paramref name="now"/> (0 once passed). Data
    /// that is UTF-8 without control characters other than tab and line breaks is text; anything else (HS_SITE,
    /// HS_ADMIN, keys) stays bytes, exactly as sent.
    /// </summary>
    internal static HandleValue Read(ref BodyReader reader, DateTimeOffset now)
    {
        var index = reader.ReadInt32("a value's index");
        var timestamp = reader.ReadInt32("a value's timestamp");
        var ttlType = reader.ReadByte("a value's TTL type");
        var ttl = reader.ReadInt32("a value's TTL");
        var permissions = (ValuePermissions)(reader.ReadByte("a value's permissions") & 0x0F);
        var type = reader.ReadString("a value's type", 1024);
        var data = reader.ReadBytes("a value's data");
        var value = DataOf(data);
        var references = new ValueReference[reader.ReadCount("a value's references", 8, HandleProtocol.MaxValues)];
        for (var i = 0; i < references.Length; i++)
        {
            var handle = reader.ReadString("a reference", HandleProtocol.MaxHandleLength);
            references[i] = new ValueReference(handle, reader.ReadInt32("a reference's index"));
        }

        var seconds = ttlType switch
        {
            RelativeTtl => Math.Max(ttl, 0),
            AbsoluteTtl => (int)Math.Clamp(ttl - now.ToUnixTimeSeconds(), 0, int.MaxValue),
            _ => throw new HandleProtocolException($"value {index}: TTL type {ttlType} is neither relative (0) nor absolute (1)"),
        };
        return new HandleValue(index, type, value, seconds, DateTimeOffset.FromUnixTimeSeconds((uint)timestamp), permissions, references);
    }

    private static ValueData DataOf(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                return ValueData.FromBytes(data);
            }
        }

        try
        {
            return ValueData.FromText(StrictUtf8.GetString(data));
        }
        catch (DecoderFallbackException)
        {
            return ValueData.FromBytes(data);
        }
    }
}
