using System.Collections;
using System.Reflection;
using Resolver.Server;

namespace Resolver.Deployment.Tests;

/// <summary>
/// The server's own tables, read from its assembly by reflection (they are internal): the settings it reads
/// (<c>ServerSettings.All</c>) and the gRPC health service names (<c>HealthNames</c>). Reading them instead of
/// copying them means a new setting or a renamed health service fails these tests until the manifests follow.
/// </summary>
internal static class ServerTables
{
    private static readonly Assembly Server = typeof(ResolverHost).Assembly;

    /// <summary>One server setting as the manifests see it.</summary>
    /// <param name="Flag">E.g. <c>--redis</c>.</param>
    /// <param name="Variable">E.g. <c>RESOLVER_REDIS</c>.</param>
    /// <param name="Options">The server's options class the setting binds to (validated at start).</param>
    /// <param name="Check">The server's own check of a value (throws on a malformed one).</param>
    public sealed record Setting(string Flag, string Variable, Type Options, Action<string> Check);

    public static IReadOnlyList<Setting> Settings { get; } = ReadSettings();

    /// <summary>The readiness service: NOT_SERVING only while starting or draining (SPEC §5).</summary>
    public static string ResolutionHealthService { get; } = HealthName("Resolution");

    /// <summary>Liveness: the empty service name.</summary>
    public static string LivenessHealthService { get; } = HealthName("Liveness");

    private static List<Setting> ReadSettings()
    {
        var table = Server.GetType("Resolver.Server.Configuration.ServerSettings", throwOnError: true)!;
        var all = (IEnumerable)table.GetField("All", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
        var settings = new List<Setting>();
        foreach (var setting in all)
        {
            var type = setting.GetType();
            var check = type.GetMethod("Check")!;
            settings.Add(new Setting(
                (string)type.GetProperty("Flag")!.GetValue(setting)!,
                (string)type.GetProperty("EnvironmentVariable")!.GetValue(setting)!,
                (Type)type.GetProperty("Options")!.GetValue(setting)!,
                value =>
                {
                    try
                    {
                        check.Invoke(setting, [value, "manifest"]);
                    }
                    catch (TargetInvocationException exception) when (exception.InnerException is { } reason)
                    {
                        throw reason;
                    }
                }));
        }

        return settings;
    }

    /// <summary>The GC heap limit a node with these settings derives itself (<c>HeapLimit.Derive</c>).</summary>
    public static long DerivedHeapLimit(int l1MaxMb, int maxMessageBytes, int bulkStreams) =>
        (long)HeapLimit.GetMethod("Derive", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [l1MaxMb, maxMessageBytes, bulkStreams])!;

    /// <summary>What a node's process holds beyond its GC heap, as the container's memory limit allows for it (<c>HeapLimit.OutsideHeapBytes</c>).</summary>
    public static long OutsideHeapBytes { get; } =
        (long)HeapLimit.GetField("OutsideHeapBytes", BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;

    private static Type HeapLimit => Server.GetType("Resolver.Server.HeapLimit", throwOnError: true)!;

    private static string HealthName(string field) =>
        (string)Server.GetType("Resolver.Server.Health.HealthNames", throwOnError: true)!
            .GetField(field, BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;
}
