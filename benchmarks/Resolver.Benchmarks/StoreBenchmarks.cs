using BenchmarkDotNet.Attributes;
using Resolver.Core.Records;
using Resolver.Dataset;
using Resolver.Storage.Sqlite;

namespace Resolver.Benchmarks;

/// <summary>
/// The embedded store's batch lookup: 100 keys read in one query from a SQLite file of 100,000 records (the miss path's
/// last stage; PostgreSQL's is measured end to end by compare.sh against pgbench).
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks
{
    private readonly Dataset.Dataset _dataset = new(Count: 100_000, Prefixes: 100);
    private DirectoryInfo _directory = null!;
    private SqliteRecordStore _store = null!;
    private string[] _keys = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Directory.CreateTempSubdirectory("resolver-bench-");
        var path = Path.Combine(_directory.FullName, "resolver.db");
        await StoreLoader.LoadSqliteAsync(_dataset, path, _ => { }, CancellationToken.None);
        _store = new SqliteRecordStore(new SqliteDatabase(path));
        _keys = [.. Enumerable.Range(0, 100).Select(i => _dataset.Identifier(i * 997 % _dataset.Count))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
    }

    [Benchmark(OperationsPerInvoke = 100)]
    public ValueTask<IReadOnlyList<HandleRecord?>> SqliteBatchOf100() => _store.GetManyAsync(_keys, CancellationToken.None);
}
