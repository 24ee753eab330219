namespace Resolver.Core.Identifiers;

/// <summary>A valid identifier: <c>prefix "/" suffix</c>, as given (NFC) and in canonical form for lookups.</summary>
public sealed class Identifier : IEquatable<Identifier>
{
    internal Identifier(string text, int slashIndex, string key)
    {
        Text = text;
        SlashIndex = slashIndex;
        Key = key;
    }

    /// <summary>The identifier as given, normalised to NFC; answers carry this form.</summary>
    public string Text { get; }

    /// <summary>The canonical form lookups use: lower-case prefix, suffix per the node's case rule.</summary>
    public string Key { get; }

    /// <summary>The canonical (lower-case) prefix, e.g. <c>88.168.1</c>.</summary>
    public string Prefix => Key[..SlashIndex];

    /// <summary>The suffix as given (NFC); it may itself contain "/".</summary>
    public string Suffix => Text[(SlashIndex + 1)..];

    private int SlashIndex { get; }

    public bool Equals(Identifier? other) => other is not null && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as Identifier);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);

    public override string ToString() => Text;
}
