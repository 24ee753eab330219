namespace Resolver.Core.Errors;

/// <summary>Why an identifier could not be resolved or written: a person's message plus the same facts for machines.</summary>
/// <param name="Kind">The class of failure (maps to a gRPC status code).</param>
/// <param name="Reason">A stable id, e.g. a grammar rule (<c>empty-segment</c>) or <c>identifier-not-found</c>.</param>
/// <param name="Message">A message a person can act on; never internal exception text.</param>
/// <param name="Position">0-based code-point position in the identifier for grammar rules; -1 otherwise.</param>
/// <param name="Prefix">The prefix concerned, when there is one.</param>
/// <param name="DeletedAt">For deleted identifiers: when.</param>
/// <param name="RetryAfter">For a refusal that passes (a rate limit): how long to wait before trying again.</param>
public sealed record Problem(
    ErrorKind Kind,
    string Reason,
    string Message,
    int Position = -1,
    string? Prefix = null,
    DateTimeOffset? DeletedAt = null,
    TimeSpan? RetryAfter = null);
