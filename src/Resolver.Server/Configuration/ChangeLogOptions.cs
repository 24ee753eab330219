namespace Resolver.Server.Configuration;

/// <summary>The durable change log: how long it keeps changes (Watch resumes from it) and how Watch subscribers are bounded (flags in <see cref="ServerSettings"/>).</summary>
public sealed class ChangeLogOptions
{
    /// <summary>Hours a committed change stays in the log; a Watch subscriber further behind must read the records again ("resync-needed").</summary>
    [SettingRange(1, 24 * 3650)]
    public int ChangeRetentionHours { get; set; } = 168;

    /// <summary>Changes buffered for one Watch subscriber; a subscriber this far behind is cut off ("watch-too-slow") and resumes from its position.</summary>
    [SettingRange(10, 1_000_000)]
    public int WatchBuffer { get; set; } = 10_000;
}
