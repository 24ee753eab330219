using System.Text.Json;

namespace Resolver.Core.Errors;

/// <summary>
/// Why System.Text.Json refused a document, in words for the person who wrote it: what is wrong and where (the JSON path,
/// line and byte, counted from 1), without .NET type names or advice about reader options, which mean nothing to them.
/// </summary>
public static class JsonProblem
{
    /// <summary>E.g. <c>unknown member "maxlength" at $.items[0].maxlength (line 3, byte 40)</c>.</summary>
    public static string Describe(JsonException exception)
    {
        var message = exception.Message;
        var what = message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal)
            ? $"unknown member \"{LastMember(exception.Path)}\""
            : message.Contains("could not be converted to", StringComparison.Ordinal)
                ? "a value of the wrong kind (e.g. text where a number or an array is expected)"
                : Reason(message);
        var where = exception.Path is { Length: > 0 } path ? $" at {path}" : "";
        var position = exception.LineNumber is { } line ? $" (line {line + 1}, byte {(exception.BytePositionInLine ?? 0) + 1})" : "";
        return what + where + position;
    }

    // The reader's own sentence, without the position it appends (given above) and its advice to the programmer.
    private static string Reason(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal) is var path and >= 0 ? path
            : message.IndexOf(" LineNumber:", StringComparison.Ordinal) is var line and >= 0 ? line
            : message.Length;
        return message[..end].Replace(" Change the reader options.", "", StringComparison.Ordinal).TrimEnd('.', ' ');
    }

    private static string LastMember(string? path)
    {
        var member = path?[(path.LastIndexOf('.') + 1)..] ?? "";
        return member.StartsWith('[') ? member.Trim('[', ']', '\'') : member;
    }
}
