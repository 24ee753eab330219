namespace Resolver.Core.Resolution;

/// <summary>
/// The caller's deadline, for the stages that ask other nodes: each hop gets what is left of it (SPEC §4,
/// "the remaining deadline is propagated to every hop"). The transports set it; the chain's stages run without
/// the caller's cancellation (their reads are shared), so it travels with the call's execution context.
/// </summary>
public static class ResolutionDeadline
{
    private static readonly AsyncLocal<DateTime?> Current = new();

    /// <summary>The caller's deadline in UTC, or null when it set none.</summary>
    public static DateTime? Value => Current.Value;

    /// <summary>Sets the deadline for the rest of this call's execution context.</summary>
    public static void Set(DateTime? deadlineUtc) => Current.Value = deadlineUtc is { } d && d < DateTime.MaxValue.AddDays(-1) ? d : null;
}
