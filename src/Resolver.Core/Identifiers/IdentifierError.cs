using Resolver.Core.Errors;

namespace Resolver.Core.Identifiers;

/// <summary>Why a string is not a valid identifier or prefix: the rule broken and where.</summary>
/// <param name="Rule">A stable id from <see cref="IdentifierRules"/>.</param>
/// <param name="Position">0-based code-point position of the offending character, or -1 when the rule has none.</param>
/// <param name="Detail">What a person should know to fix it.</param>
public sealed record IdentifierError(string Rule, int Position, string Detail)
{
    /// <summary>One line naming the rule and the position, e.g. "empty-segment at position 3: two dots in a row".</summary>
    public string Message => Position >= 0 ? $"{Rule} at position {Position}: {Detail}" : $"{Rule}: {Detail}";

    /// <summary>The error as an INVALID_ARGUMENT problem about <paramref name="input"/>.</summary>
    public Problem ToProblem(string what, string? input) =>
        new(ErrorKind.InvalidArgument, Rule, $"invalid {what} {Quote(input)}: {Message}", Position);

    // Never echo megabytes or raw control characters back into a message or a log line.
    private static string Quote(string? input) => $"\"{EscapedText.Of(input ?? "", maxLength: 80)}\"";
}
