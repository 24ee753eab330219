namespace Resolver.Server.Configuration;

/// <summary>Which persistent store the node runs on (flags in <see cref="ServerSettings"/>).</summary>
public sealed class StoreOptions
{
    /// <summary>The directory holding the embedded database (and generated admin token); relative to the working directory.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>
    /// The persistent store: <c>sqlite:PATH</c> or <c>postgres:NPGSQL-CONNECTION-STRING</c>; empty means
    /// the SQLite file resolver.db under <see cref="DataDir"/>.
    /// </summary>
    public string Store { get; set; } = "";

    /// <summary>
    /// Reads of the store running at once from this node; reads arriving while they all run wait and go together as
    /// one query (<see cref="Caching.ReadBatcher"/>). 2 because against PostgreSQL on two cores, unary misses went
    /// fastest with 2 of 2, 4, 8 and 16 (benchmarks/README.md); a store with more cores may want more.
    /// </summary>
    [SettingRange(1, 1024)]
    public int StoreMaxQueries { get; set; } = 2;

    /// <summary>The SQLite database file under <see cref="DataDir"/>.</summary>
    public string DatabasePath => Path.Combine(Path.GetFullPath(DataDir), "resolver.db");

    /// <summary>The store setting with its default filled in.</summary>
    public string EffectiveStore => string.IsNullOrWhiteSpace(Store) ? $"sqlite:{DatabasePath}" : Store;

    /// <summary>True on the embedded SQLite store.</summary>
    public bool IsEmbedded => EffectiveStore.StartsWith("sqlite:", StringComparison.Ordinal);
}
