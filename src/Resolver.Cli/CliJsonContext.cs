using System.Text.Json.Serialization;

namespace Resolver.Cli;

/// <summary>An error line in JSON mode: <c>{"error":{"code":"NOT_FOUND","exitCode":2,"message":"…","identifier":"…","reason":"…"}}</c>.</summary>
internal sealed record CliError(CliErrorBody Error);

/// <summary>The body of <see cref="CliError"/>.</summary>
internal sealed record CliErrorBody(string Code, int ExitCode, string Message, string? Identifier, string? Reason, long? Line = null);

/// <summary>What <c>resolver import</c> did, printed once at the end: exactly these four fields.</summary>
internal sealed record ImportSummary(long Created, long Updated, long Unchanged, long Failed);

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
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CliError))]
[JsonSerializable(typeof(Bench.LoadReport))]
[JsonSerializable(typeof(ImportSummary))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
