using System.Text.Json.Serialization;

namespace Resolver.Cli;

/// <summary>An error line in JSON mode: <c>{"error":{"code":"NOT_FOUND","exitCode":2,"message":"…","identifier":"…","reason":"…"}}</c>.</summary>
internal sealed record CliError(CliErrorBody Error);

/// <summary>The body of <see cref="CliError"/>.</summary>
internal sealed record CliErrorBody(string Code, int ExitCode, string Message, string? Identifier, string? Reason, long? Line = null);

/// <summary>What <c>resolver import</c> did, printed once at the end: exactly these four fields.</summary>
internal sealed record ImportSummary(long Created, long Updated, long Unchanged, long Failed);

/// <summary>What <c>resolver template publish</c> did: <c>{"identifier":"88.168/TPL.PART","version":1}</c>, with <c>"unchanged":true</c> when that version was already published with this definition.</summary>
internal sealed record TemplatePublished(string Identifier, int Version, bool? Unchanged);

/// <summary>What <c>resolver template deprecate</c> did: the version deprecated (<c>*</c>: every one), <c>"unchanged":true</c> when it already was.</summary>
internal sealed record TemplateDeprecated(string Identifier, string Deprecated, bool? Unchanged);

/// <summary>One line of <c>resolver template list -o json</c>.</summary>
internal sealed record TemplateSummary(string Identifier, int LatestVersion, IReadOnlyList<int> Versions, Resolver.Core.Templates.TemplateNames? Names, IReadOnlyList<int> DeprecatedVersions);

/// <summary>Writes error lines; relaxed escaping keeps quotes and non-ASCII identifiers readable.</summary>
internal static class CliJson
{
    private static readonly System.Text.Json.JsonSerializerOptions Options = new(CliJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Error(string code, int exitCode, string message, string? identifier, string? reason, long? line = null) =>
        System.Text.Json.JsonSerializer.Serialize(new CliError(new CliErrorBody(code, exitCode, message, identifier, reason, line)), Options);

    public static string Summary(ImportSummary summary) => System.Text.Json.JsonSerializer.Serialize(summary, Options);

    /// <summary>One object of a type <see cref="CliJsonContext"/> knows, as one line, with the same readable escaping.</summary>
    public static string Serialize<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CliError))]
[JsonSerializable(typeof(Bench.LoadReport))]
[JsonSerializable(typeof(ImportSummary))]
[JsonSerializable(typeof(TemplatePublished))]
[JsonSerializable(typeof(TemplateDeprecated))]
[JsonSerializable(typeof(TemplateSummary))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
