using Microsoft.Extensions.Options;
using Resolver.Core.Prefixes;
using Resolver.Core.Security;
using Resolver.Core.Storage;
using Resolver.Server.Configuration;
using Resolver.Storage.Postgres;
using Resolver.Storage.Sqlite;

namespace Resolver.Server;

/// <summary>The store the <c>--store</c> setting names: the embedded SQLite file or PostgreSQL.</summary>
internal sealed class ConfiguredStore : IAsyncDisposable
{
    private readonly PostgresDatabase? _postgres;

    public ConfiguredStore(IOptions<StoreOptions> options)
    {
        var setting = options.Value.EffectiveStore;
        if (setting.StartsWith("postgres:", StringComparison.Ordinal))
        {
            try
            {
                _postgres = new PostgresDatabase(setting["postgres:".Length..]);
            }
            catch (ArgumentException exception)
            {
                throw new SettingsException($"--store: not a valid PostgreSQL connection string: {exception.Message}");
            }

            Schema = _postgres;
            Records = new PostgresRecordStore(_postgres);
            Changes = new PostgresChangeLog(_postgres);
            Prefixes = new PostgresPrefixStore(_postgres);
            Access = new PostgresAccessStore(_postgres);
        }
        else
        {
            var sqlite = new SqliteDatabase(setting["sqlite:".Length..]);
            Schema = sqlite;
            Records = new SqliteRecordStore(sqlite);
            Changes = new SqliteChangeLog(sqlite);
            Prefixes = new SqlitePrefixStore(sqlite);
            Access = new SqliteAccessStore(sqlite);
        }
    }

    public IStoreSchema Schema { get; }

    public IRecordStore Records { get; }

    public IChangeLog Changes { get; }

    public IPrefixStore Prefixes { get; }

    public IAccessStore Access { get; }

    public ValueTask DisposeAsync() => _postgres?.DisposeAsync() ?? ValueTask.CompletedTask;
}
