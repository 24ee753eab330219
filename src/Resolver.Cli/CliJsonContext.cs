using System.Text.Json.Serialization;

namespace Resolver.Cli;

/// <summary>An error line in JSON mode: <c>{"error":{"code":"NOT_FOUND","exitCode":2,"message":"…","identifier":"…","reason":"…"}}</c>.</summary>
internal sealed record CliError(CliErrorBody Error);

/// <summary>The body of <see cref="CliError"/>.</summary>
internal sealed record CliErrorBody(string Code, int ExitCode, string Message, string? Identifier, string? Reason);

/// <summary>Writes error lines; relaxed escaping keeps quotes and non-ASCII identifiers readable.</summary>
internal static class CliJson
{
    private static readonly System.Text.Json.JsonSerializerOptions Options = new(CliJsonContext.Default.Options)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Error(string code, int exitCode, string message, string? identifier, string? reason) =>
        System.Text.Json.JsonSerializer.Serialize(new CliError(new CliErrorBody(code, exitCode, message, identifier, reason)), Options);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CliError))]
[JsonSerializable(typeof(Bench.LoadReport))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
