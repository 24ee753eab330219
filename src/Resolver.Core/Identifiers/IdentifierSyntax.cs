namespace Resolver.Core.Identifiers;

/// <summary>The node's identifier settings: case rule for suffixes and the length limit.</summary>
public sealed record IdentifierSyntax
{
    /// <summary>The hard cap on an identifier's UTF-8 size, whatever <see cref="MaxLength"/> says.</summary>
    public const int MaxBytes = 2048;

    /// <summary>The longest prefix, in characters.</summary>
    public const int MaxPrefixLength = 64;

    /// <summary>The default limit on code points after NFC.</summary>
    public const int DefaultMaxLength = 255;

    /// <summary>Compare suffixes case-sensitively; by default ASCII case is ignored, as in Handle.Net.</summary>
    public bool CaseSensitiveSuffix { get; init; }

    /// <summary>The most code points (after NFC) an identifier may have.</summary>
    public int MaxLength { get; init; } = DefaultMaxLength;

    /// <summary>The defaults: case-insensitive suffixes, 255 code points.</summary>
    public static IdentifierSyntax Default { get; } = new();
}
