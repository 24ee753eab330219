namespace Resolver.Core.Storage;

/// <summary>A store's schema: created or upgraded before the server takes calls.</summary>
public interface IStoreSchema
{
    /// <summary>A short description for logs and errors, without secrets (e.g. "sqlite:/var/lib/resolver/resolver.db").</summary>
    string Description { get; }

    /// <summary>
    /// What tells this store's data apart from another's, without credentials and without asking it: SQLite's full file
    /// path; PostgreSQL's host, port, database and search path. The default Redis namespace is derived from it.
    /// </summary>
    string Identity { get; }

    /// <summary>Creates the schema, or upgrades an older one; safe to run from several replicas at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records <paramref name="value"/> under <paramref name="name"/> unless a value is recorded already, and returns the
    /// recorded one: how a setting that shapes keys is pinned to the data at first start (SPEC §10).
    /// </summary>
    Task<string> PinAsync(string name, string value, CancellationToken cancellationToken);
}
