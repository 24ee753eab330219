namespace Resolver.Server.Health;

/// <summary>The gRPC health service names and the health-check tags behind them.</summary>
internal static class HealthNames
{
    /// <summary>Liveness: the process is up.</summary>
    public const string Liveness = "";

    public const string Resolution = "resolver.v1.Resolution";
    public const string Registry = "resolver.v1.Registry";
    public const string Admin = "resolver.v1.Admin";

    /// <summary>Tag of the check that only says the process answers.</summary>
    public const string LivenessTag = "liveness";

    /// <summary>Tag of checks that say whether the server takes calls (starting, serving, draining).</summary>
    public const string LifecycleTag = "lifecycle";

    /// <summary>Tag of checks that say whether the store answers.</summary>
    public const string StoreTag = "store";
}
