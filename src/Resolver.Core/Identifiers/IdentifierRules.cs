namespace Resolver.Core.Identifiers;

/// <summary>Stable ids of the identifier grammar rules; a rejection names one of them.</summary>
public static class IdentifierRules
{
    /// <summary>The identifier is missing or empty.</summary>
    public const string Empty = "empty";
    /// <summary>A control character (Unicode Cc, e.g. U+0000, a newline).</summary>
    public const string ControlCharacter = "control-character";
    /// <summary>A format character (Unicode Cf, e.g. U+200B, U+202E, U+FEFF).</summary>
    public const string FormatCharacter = "format-character";
    /// <summary>A lone UTF-16 surrogate: not a Unicode character at all.</summary>
    public const string UnpairedSurrogate = "unpaired-surrogate";
    /// <summary>More UTF-8 bytes than the hard cap (2048).</summary>
    public const string TooManyBytes = "too-many-bytes";
    /// <summary>More code points after NFC than the configured limit (255 by default).</summary>
    public const string TooLong = "too-long";
    /// <summary>No "/" between prefix and suffix.</summary>
    public const string MissingSlash = "missing-slash";
    /// <summary>Nothing before the "/".</summary>
    public const string EmptyPrefix = "empty-prefix";
    /// <summary>The prefix is longer than 64 characters.</summary>
    public const string PrefixTooLong = "prefix-too-long";
    /// <summary>The prefix starts with a dot.</summary>
    public const string LeadingDot = "leading-dot";
    /// <summary>The prefix ends with a dot.</summary>
    public const string TrailingDot = "trailing-dot";
    /// <summary>Two dots in a row: an empty segment.</summary>
    public const string EmptySegment = "empty-segment";
    /// <summary>A prefix character outside [0-9A-Za-z_-] and the dot.</summary>
    public const string InvalidPrefixCharacter = "invalid-prefix-character";
    /// <summary>Nothing after the "/".</summary>
    public const string EmptySuffix = "empty-suffix";
}
