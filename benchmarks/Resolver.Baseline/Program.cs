using System.Collections.Frozen;
using System.Globalization;
using Resolver.Baseline;
using Resolver.Protocol.V1;

// resolver-baseline --grpc-url URL [--count N] [--prefixes M] [--value-bytes B]: the bare gRPC ceiling (DictionaryResolution).
// --grpc-url is the server's setting of the same name; the dataset's shape is resolver-dataset's.
var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["--grpc-url"] = "http://127.0.0.1:5380", ["--count"] = "1000000", ["--prefixes"] = "1000", ["--value-bytes"] = "200" };
for (var i = 0; i < args.Length; i++)
{
    if (!settings.ContainsKey(args[i]) || i + 1 == args.Length)
    {
        Console.Error.WriteLine($"resolver-baseline: unknown or incomplete option {args[i]}; options: {string.Join(", ", settings.Keys)}");
        return 2;
    }

    settings[args[i]] = args[++i];
}

int Number(string name) => int.Parse(settings[name], CultureInfo.InvariantCulture);
var dataset = new Resolver.Dataset.Dataset(Number("--count"), Number("--prefixes"), Number("--value-bytes"));

// Every answer as the server would send it to an anonymous caller, built before the port opens.
var answers = Enumerable.Range(0, dataset.Count).ToFrozenDictionary(
    dataset.Identifier,
    i => new ResolveResult { Identifier = dataset.Identifier(i), Status = new ItemStatus(), Record = dataset.Answer(i) },
    StringComparer.Ordinal);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(endpoint => endpoint.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2));
builder.WebHost.UseUrls(settings["--grpc-url"]);
builder.Services.AddGrpc();
builder.Services.AddSingleton(answers);

var app = builder.Build();
app.MapGrpcService<DictionaryResolution>();
Console.Error.WriteLine($"resolver-baseline: {answers.Count:N0} answers ready on {settings["--grpc-url"]}");
await app.RunAsync();
return 0;
