using System.Text.Json.Serialization;

namespace Resolver.Storage;

/// <summary>Source-generated JSON for the small lists the stores keep as JSON text.</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;
