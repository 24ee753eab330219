using System.Text.Json;
using System.Text.RegularExpressions;
using Resolver.Core.Errors;
using Resolver.Core.Identifiers;

namespace Resolver.Core.Templates;

/// <summary>
/// Reads a template definition's JSON (docs/templates.md) and compiles it into a <see cref="CompiledTemplate"/>, refusing
/// a definition that could not judge anything consistently: items below index 2001 or given twice, codes twice, unknown data
/// types, rules that contradict each other, patterns that do not compile.
/// </summary>
public sealed class TemplateCompiler(IdentifierParser parser)
{
    /// <summary>The longest a pattern may take on one value before the value is refused (patterns run without backtracking, so this is a backstop).</summary>
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>The most versions one template's record may hold (each a value of up to --max-value-bytes).</summary>
    public const int MaxVersions = 100;

    /// <summary>The most rules one refusal lists; the rest are counted (a message must fit a gRPC trailer).</summary>
    public const int MaxReported = 20;

    /// <summary>The longest pattern an item may have, in UTF-16 characters.</summary>
    public const int MaxPatternLength = 1000;

    /// <summary>The most items a template may have.</summary>
    public const int MaxItems = 1000;

    /// <summary>Compiles <paramref name="json"/>, a definition's text.</summary>
    /// <exception cref="ResolverException">INVALID_ARGUMENT <c>template-invalid</c>: the text is not a definition, or its rules do not hold together; the message lists every problem.</exception>
    public CompiledTemplate Compile(string json)
    {
        TemplateDefinition? definition;
        try
        {
            definition = JsonSerializer.Deserialize(json, TemplateJsonContext.Default.TemplateDefinition);
        }
        catch (JsonException unreadable)
        {
            throw Invalid($"the template definition is not JSON of the template format (docs/templates.md): {JsonProblem.Describe(unreadable)}");
        }

        if (definition is null)
        {
            throw Invalid("the template definition is null; expected an object with identifier, version and items (docs/templates.md)");
        }

        return Compile(definition, json);
    }

    /// <summary>Compiles <paramref name="definition"/>, whose stored text is <paramref name="text"/>.</summary>
    /// <exception cref="ResolverException">INVALID_ARGUMENT <c>template-invalid</c>, as <see cref="Compile(string)"/>.</exception>
    public CompiledTemplate Compile(TemplateDefinition definition, string text)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(definition.Identifier) || !parser.TryParse(definition.Identifier, out _, out _))
        {
            errors.Add($"identifier {ItemDataTypes.Quote(definition.Identifier ?? "")} is not an identifier (prefix/suffix, e.g. 88.168/TPL.PART)");
        }

        if (definition.Version < 1)
        {
            errors.Add($"version {definition.Version} is not 1 or more");
        }

        if (definition.Items is null or { Count: 0 })
        {
            errors.Add("items is empty: a template has at least one item");
        }
        else if (definition.Items.Count > MaxItems)
        {
            errors.Add($"{definition.Items.Count} items; at most {MaxItems}");
        }

        var compiled = new List<CompiledItem>();
        var indexes = new HashSet<int>();
        var codes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in definition.Items ?? [])
        {
            if (item is null || string.IsNullOrWhiteSpace(item.Code) || item.Code.Any(char.IsWhiteSpace))
            {
                errors.Add($"an item's code {ItemDataTypes.Quote(item?.Code ?? "")} is not a value type (non-empty, no spaces)");
                continue;
            }

            var where = $"item {item.Code}";
            if (TemplateTypes.IsExempt(item.Code))
            {
                errors.Add($"{where}: the code is a reserved type (TEMPLATE, TEMPLATE_DEFINITION, TEMPLATE_DEPRECATED, HS_…)");
            }

            if (!codes.Add(item.Code))
            {
                errors.Add($"{where}: the code is given twice (codes are compared ignoring case)");
            }

            if (item.Index < TemplateTypes.FirstItemIndex)
            {
                errors.Add($"{where}: index {item.Index} is below {TemplateTypes.FirstItemIndex}, where items start");
            }
            else if (!indexes.Add(item.Index))
            {
                errors.Add($"{where}: index {item.Index} is taken by another item");
            }

            if (item.MinLength is < 0 || item.MaxLength is < 1 || item.MinLength > item.MaxLength)
            {
                errors.Add($"{where}: minLength {item.MinLength} and maxLength {item.MaxLength} do not make a range (0 <= minLength <= maxLength, maxLength >= 1)");
            }

            var dataType = ItemDataTypes.Compile(item, parser, errors);
            var pattern = Pattern(item, errors);
            if (dataType is not null)
            {
                compiled.Add(new CompiledItem(item, dataType, pattern));
            }
        }

        if (errors.Count > 0)
        {
            throw Invalid($"template {definition.Identifier}@{definition.Version} is not valid: {Listed(errors)}");
        }

        return new CompiledTemplate(definition, text, compiled);
    }

    // Written as people read it (零部件, not \u96F6\u90E8\u4EF6): the text is a value's data, never embedded in HTML.
    private static readonly JsonSerializerOptions Readable = new(TemplateJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>At most <see cref="MaxReported"/> of <paramref name="rules"/>, joined with "; ", then how many more there are.</summary>
    public static string Listed(IReadOnlyList<string> rules) =>
        rules.Count <= MaxReported
            ? string.Join("; ", rules)
            : $"{string.Join("; ", rules.Take(MaxReported))}; and {rules.Count - MaxReported} more";

    /// <summary>
    /// The <c>version</c> of a definition's text without compiling it (a top-level member read with the JSON reader);
    /// null when the text is not JSON or has no integer version.
    /// </summary>
    public static int? ReadVersion(string text)
    {
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isVersion = reader.ValueTextEquals("version"u8);
                reader.Read();
                if (isVersion)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var version) ? version : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    /// <summary>The definition's canonical JSON text, as publishing stores it.</summary>
    public static string Write(TemplateDefinition definition) => JsonSerializer.Serialize(definition, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<TemplateDefinition>)Readable.GetTypeInfo(typeof(TemplateDefinition)));

    private static Regex? Pattern(TemplateItem item, List<string> errors)
    {
        if (item.Pattern is null)
        {
            return null;
        }

        if (item.Pattern.Length > MaxPatternLength)
        {
            // The automaton grows with the pattern (a counted repetition such as x{1000} is unrolled): bounded here.
            errors.Add($"item {item.Code}: pattern has {item.Pattern.Length} characters; at most {MaxPatternLength}");
            return null;
        }

        try
        {
            // Anchored: the whole text must match. Without backtracking: the match time is linear in the text, whatever
            // the pattern (a hostile one cannot stall writes), which is why backreferences and lookarounds are refused.
            // Alone first: a pattern that is not one expression on its own, such as a)|(b, would otherwise escape the anchors.
            _ = new Regex(item.Pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, PatternTimeout);
            return new Regex($@"\A(?:{item.Pattern})\z", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, PatternTimeout);
        }
        catch (Exception broken) when (broken is ArgumentException or NotSupportedException)
        {
            errors.Add($"item {item.Code}: pattern {ItemDataTypes.Quote(item.Pattern)} does not compile: {broken.Message}");
            return null;
        }
    }

    private static ResolverException Invalid(string message) => new(new Problem(ErrorKind.InvalidArgument, TemplateReasons.Invalid, message));
}
