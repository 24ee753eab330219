namespace Resolver.Testing;

/// <summary>
/// The system clock moved by an offset a test sets: "now" jumps (past a freshness lifetime, say) while timers and
/// timeouts still run in real time — for tests where a real database must time out but a TTL must not be waited for.
/// </summary>
public sealed class ShiftedTimeProvider : TimeProvider
{
    private long _offsetTicks;

    /// <summary>Moves "now" forward by <paramref name="by"/>.</summary>
    public void Shift(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
