namespace Resolver.Core.Storage;

/// <summary>
/// What the resolution chain needs of the call it reads for, passed with the keys rather than carried in ambient state:
/// how long the caller waits (each site asked gets what is left of it, SPEC §4) and how many nodes the call has passed
/// (added to the hops this node makes, so that loops between recursive nodes end). Never who the caller is: the caches
/// hold whole records for everyone, and visibility is decided after them.
/// </summary>
/// <param name="Deadline">The caller's deadline in UTC, or null when it set none.</param>
/// <param name="Hops">The nodes the call had passed before it reached this one (0 for a caller's own call).</param>
public readonly record struct ReadContext(DateTime? Deadline, int Hops)
{
    /// <summary>No deadline, no hops: a read of this node's own (a probe, a merged read of the store, a test).</summary>
    public static ReadContext None => default;

    /// <summary>A caller's deadline as a transport gives it: "none" (DateTime.MaxValue, or a value close to it) is null.</summary>
    public static DateTime? DeadlineOf(DateTime? deadlineUtc) => deadlineUtc is { } d && d < DateTime.MaxValue.AddDays(-1) ? d : null;
}
