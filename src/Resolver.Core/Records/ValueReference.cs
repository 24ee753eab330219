namespace Resolver.Core.Records;

/// <summary>A pointer from a value to another identifier, optionally to one of its values (Handle references).</summary>
/// <param name="Identifier">The identifier referred to.</param>
/// <param name="Index">The value's index there; 0 means the whole record.</param>
public sealed record ValueReference(string Identifier, int Index);
