using System.Text;

namespace Resolver.Core.Records;

/// <summary>A value's payload: UTF-8 text or raw bytes.</summary>
public sealed class ValueData : IEquatable<ValueData>
{
    private ValueData(string? text, byte[]? bytes)
    {
        Text = text;
        Bytes = bytes;
    }

    /// <summary>The text, when the payload is text.</summary>
    public string? Text { get; }

    /// <summary>The bytes, when the payload is binary.</summary>
    public byte[]? Bytes { get; }

    /// <summary>True for text payloads.</summary>
    public bool IsText => Text is not null;

    /// <summary>The payload's size in bytes (UTF-8 for text).</summary>
    public int ByteCount => Text is not null ? Encoding.UTF8.GetByteCount(Text) : Bytes!.Length;

    /// <summary>A text payload.</summary>
    public static ValueData FromText(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), null);

    /// <summary>A binary payload (copied).</summary>
    public static ValueData FromBytes(ReadOnlySpan<byte> bytes) => new(null, bytes.ToArray());

    public bool Equals(ValueData? other) =>
        other is not null &&
        (IsText ? string.Equals(Text, other.Text, StringComparison.Ordinal) : !other.IsText && Bytes.AsSpan().SequenceEqual(other.Bytes));

    public override bool Equals(object? obj) => Equals(obj as ValueData);

    public override int GetHashCode() => IsText ? StringComparer.Ordinal.GetHashCode(Text!) : Bytes!.Length;

    public override string ToString() => Text ?? Convert.ToHexString(Bytes!);
}
