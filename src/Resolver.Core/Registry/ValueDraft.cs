using Resolver.Core.Records;

namespace Resolver.Core.Registry;

/// <summary>A value as a writer sends it: what is unset is filled in by <see cref="ValueEditor"/>.</summary>
/// <param name="Index">The index, or 0 for "pick for me".</param>
/// <param name="Type">The value's type.</param>
/// <param name="Data">The payload.</param>
/// <param name="Ttl">Seconds to cache; null keeps the replaced value's TTL or takes the default.</param>
/// <param name="Permissions">Null keeps the replaced value's permissions or takes Handle's default 1110.</param>
/// <param name="References">Other identifiers the value refers to.</param>
public sealed record ValueDraft(
    int Index,
    string Type,
    ValueData Data,
    int? Ttl = null,
    ValuePermissions? Permissions = null,
    IReadOnlyList<ValueReference>? References = null);
