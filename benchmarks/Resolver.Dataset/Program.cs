using System.CommandLine;
using System.Text;
using Resolver.Dataset;

// resolver-dataset: the benchmark dataset (see Dataset), loaded into a store or exported for a peer. Every command takes the
// dataset's shape, so the same shape always means the same identifiers and values, wherever they are served.
var count = new Option<int>("--count") { Description = "identifiers in the dataset", DefaultValueFactory = _ => 1_000_000 };
var prefixes = new Option<int>("--prefixes") { Description = "enterprise prefixes they are spread over", DefaultValueFactory = _ => 1_000 };
var valueBytes = new Option<int>("--value-bytes") { Description = "about how many bytes each of a record's three values holds", DefaultValueFactory = _ => 200 };
Option[] shape = [count, prefixes, valueBytes];

var sqlite = new Option<string?>("--sqlite") { Description = "load into this SQLite file (created; its records table must be empty)" };
var postgres = new Option<string?>("--postgres") { Description = "load into the PostgreSQL database this Npgsql connection string names" };
var load = new Command("load", "bulk-load the dataset into a Resolver store, its prefixes homed") { sqlite, postgres };

var what = new Argument<string>("what") { Description = "keys | hot | redis | zone | dns-queries | dns-hot | pgbench-one | pgbench-any | grpc-unary | grpc-batch | grpc-stream" };
var hot = new Option<int>("--hot") { Description = "how many hot identifiers (hot, dns-hot, pgbench-any batch size, grpc-batch, grpc-stream)", DefaultValueFactory = _ => 100 };
var output = new Option<string?>("--output", "-o") { Description = "write to this file instead of standard output" };
var export = new Command("export", "write the dataset in a peer's format") { what, hot, output };

var server = new Option<string>("--server") { Description = "the server to warm, e.g. http://127.0.0.1:5380", Required = true };
var batchSize = new Option<int>("--batch-size") { Description = "identifiers per BatchResolve", DefaultValueFactory = _ => 1000 };
var warm = new Command("warm", "resolve every identifier once through a server, so that its caches hold the whole dataset") { server, batchSize };

var root = new RootCommand("The Resolver benchmark dataset: N identifiers 88.100.{e}/item-{i} across M enterprise prefixes, three values each.") { load, export, warm };
foreach (var option in shape)
{
    root.Options.Add(option);
    option.Recursive = true;
}

load.SetAction(async (result, cancellationToken) =>
{
    var dataset = Shape(result);
    var started = System.Diagnostics.Stopwatch.StartNew();
    void Progress(int loaded) => Console.Error.WriteLine($"  {loaded:N0} of {dataset.Count:N0} records ({started.Elapsed.TotalSeconds:F1} s)");
    switch (result.GetValue(sqlite), result.GetValue(postgres))
    {
        case ({ } path, null):
            await StoreLoader.LoadSqliteAsync(dataset, path, Progress, cancellationToken);
            break;
        case (null, { } connection):
            await StoreLoader.LoadPostgresAsync(dataset, connection, Progress, cancellationToken);
            break;
        default:
            Console.Error.WriteLine("resolver-dataset load: give exactly one of --sqlite PATH or --postgres CONNECTION");
            return 2;
    }

    Console.Error.WriteLine($"loaded {dataset.Count:N0} records across {dataset.Prefixes:N0} homed prefixes in {started.Elapsed.TotalSeconds:F1} s");
    return 0;
});

warm.SetAction(async (result, cancellationToken) =>
{
    var dataset = Shape(result);
    var started = System.Diagnostics.Stopwatch.StartNew();
    var failed = await CacheWarmer.WarmAsync(dataset, new Uri(result.GetValue(server)!), result.GetValue(batchSize), resolved =>
        Console.Error.WriteLine($"  {Math.Min(resolved, dataset.Count):N0} of {dataset.Count:N0} resolved ({started.Elapsed.TotalSeconds:F1} s)"), cancellationToken);
    Console.Error.WriteLine($"warmed {dataset.Count:N0} identifiers in {started.Elapsed.TotalSeconds:F1} s; {failed:N0} not answered OK");
    return failed == 0 ? 0 : 1;
});

export.SetAction(result =>
{
    var exports = new PeerExports(Shape(result));
    var hotCount = result.GetValue(hot);
    using var stream = result.GetValue(output) is { } path ? File.Create(path) : Console.OpenStandardOutput();
    using var text = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
    switch (result.GetValue(what))
    {
        case "keys": exports.Keys(text); break;
        case "hot": exports.Hot(text, hotCount); break;
        case "zone": exports.DnsZone(text); break;
        case "dns-queries": exports.DnsQueries(text, null); break;
        case "dns-hot": exports.DnsQueries(text, hotCount); break;
        case "pgbench-one": exports.PgbenchScript(text, 1); break;
        case "pgbench-any": exports.PgbenchScript(text, hotCount); break;
        case "redis": exports.Redis(stream); break;
        case "grpc-unary": exports.GrpcBody(stream, "unary", hotCount); break;
        case "grpc-batch": exports.GrpcBody(stream, "batch", hotCount); break;
        case "grpc-stream": exports.GrpcBody(stream, "stream", hotCount); break;
        case var other:
            Console.Error.WriteLine($"resolver-dataset export: unknown format {other}; give one of: {what.Description}");
            return 2;
    }

    return 0;
});

return await root.Parse(args).InvokeAsync();

Dataset Shape(ParseResult result) => new(result.GetValue(count), result.GetValue(prefixes), result.GetValue(valueBytes));
