namespace Resolver.Core.Records;

/// <summary>One typed value of a record, as in the Handle value model.</summary>
/// <param name="Index">Position in the record: 1 or more, unique in the record.</param>
/// <param name="Type">E.g. "URL", "EMAIL", "manufacturer"; compared ignoring ASCII case.</param>
/// <param name="Data">The payload.</param>
/// <param name="Ttl">Seconds a resolver may cache the value.</param>
/// <param name="Timestamp">When the value last changed.</param>
/// <param name="Permissions">Who may read and write it.</param>
/// <param name="References">Other identifiers it refers to.</param>
public sealed record HandleValue(
    int Index,
    string Type,
    ValueData Data,
    int Ttl,
    DateTimeOffset Timestamp,
    ValuePermissions Permissions,
    IReadOnlyList<ValueReference> References)
{
    /// <summary>The TTL a value gets when none is given: one day, as in Handle.</summary>
    public const int DefaultTtl = 86400;
}
