using System.Globalization;

namespace Resolver.Server.Calls;

/// <summary>The <c>grpc-timeout</c> request header (gRPC over HTTP/2: up to 8 digits and a unit, H M S m u n).</summary>
internal static class GrpcTimeout
{
    /// <summary>The deadline <paramref name="header"/> sets from <paramref name="now"/>, or null when absent or malformed.</summary>
    public static DateTime? DeadlineOf(string? header, DateTime now)
    {
        if (header is not { Length: >= 2 and <= 9 } || !long.TryParse(header.AsSpan(0, header.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return null;
        }

        var ticks = header[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * TimeSpan.TicksPerMicrosecond,
            'n' => amount / 100,
            _ => -1,
        };
        return ticks < 0 ? null : now.AddTicks(Math.Min(ticks, (DateTime.MaxValue - now).Ticks - 1));
    }
}
