using System.Text.Json;
using System.Text.Json.Serialization;
using Resolver.Core.Records;

namespace Resolver.Storage;

/// <summary>
/// A record's values as one JSON document in the store: readable with any SQL client, and the same
/// text in every store. Short property names keep rows small.
/// </summary>
public static class ValueCodec
{
    /// <summary>The values as JSON.</summary>
    public static string Encode(IReadOnlyList<HandleValue> values) =>
        JsonSerializer.Serialize(values.Select(ToStored).ToArray(), StoredValueContext.Default.StoredValueArray);

    /// <summary>The values a JSON document holds.</summary>
    public static IReadOnlyList<HandleValue> Decode(string json) =>
        [.. (JsonSerializer.Deserialize(json, StoredValueContext.Default.StoredValueArray) ?? []).Select(FromStored)];

    private static StoredValue ToStored(HandleValue value) => new()
    {
        Index = value.Index,
        Type = value.Type,
        Text = value.Data.Text,
        Bytes = value.Data.Bytes,
        Ttl = value.Ttl,
        Timestamp = value.Timestamp.UtcTicks,
        Permissions = (int)value.Permissions,
        References = value.References.Count == 0 ? null : [.. value.References.Select(r => new StoredReference { Identifier = r.Identifier, Index = r.Index })],
    };

    private static HandleValue FromStored(StoredValue stored) => new(
        stored.Index,
        stored.Type,
        stored.Text is not null ? ValueData.FromText(stored.Text) : ValueData.FromBytes(stored.Bytes ?? []),
        stored.Ttl,
        new DateTimeOffset(stored.Timestamp, TimeSpan.Zero),
        (ValuePermissions)stored.Permissions,
        stored.References is null ? [] : [.. stored.References.Select(r => new ValueReference(r.Identifier, r.Index))]);

    internal sealed class StoredValue
    {
        [JsonPropertyName("i")] public int Index { get; set; }
        [JsonPropertyName("t")] public string Type { get; set; } = "";
        [JsonPropertyName("s")] public string? Text { get; set; }
        [JsonPropertyName("b")] public byte[]? Bytes { get; set; }
        [JsonPropertyName("ttl")] public int Ttl { get; set; }
        [JsonPropertyName("ts")] public long Timestamp { get; set; }
        [JsonPropertyName("p")] public int Permissions { get; set; }
        [JsonPropertyName("r")] public StoredReference[]? References { get; set; }
    }

    internal sealed class StoredReference
    {
        [JsonPropertyName("id")] public string Identifier { get; set; } = "";
        [JsonPropertyName("i")] public int Index { get; set; }
    }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ValueCodec.StoredValue[]))]
internal sealed partial class StoredValueContext : JsonSerializerContext;
