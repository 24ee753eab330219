using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Resolver.Deployment.Tests;

/// <summary>One kustomization rendered by <c>kubectl kustomize</c> and checked by <c>k8s/validate</c> against the Kubernetes schemas.</summary>
/// <param name="Path">The kustomization, relative to the repository, e.g. <c>k8s/overlays/prod</c>.</param>
/// <param name="Objects">The rendered objects, as JSON.</param>
/// <param name="Problems">Schema violations and unknown fields, one line each ("Kind/name: path: message").</param>
internal sealed record Rendering(string Path, IReadOnlyList<JsonObject> Objects, IReadOnlyList<string> Problems)
{
    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => o.Str("kind") == kind);

    public JsonObject? Find(string kind, string name) => OfKind(kind).SingleOrDefault(o => o["metadata"].Str("name") == name);

    /// <summary>The Resolver server's Deployment (every rendering has exactly one).</summary>
    public JsonObject Server => Find("Deployment", "resolver") ?? throw new Xunit.Sdk.XunitException($"{Path}: no Deployment named resolver");

    public JsonObject ServerContainer => Server.PodSpec()["containers"]!.AsArray().Select(c => c!.AsObject()).Single(c => c.Str("name") == "server");

    /// <summary>The server's settings: the ConfigMap its container takes with envFrom.</summary>
    public JsonObject Settings
    {
        get
        {
            var name = ServerContainer["envFrom"]!.AsArray().Select(e => e!["configMapRef"].Str("name")).Single(n => n is not null);
            return Find("ConfigMap", name!)?["data"]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"{Path}: the server's ConfigMap {name} is not rendered");
        }
    }

    /// <summary>Deployments and StatefulSets: everything that runs pods.</summary>
    public IEnumerable<JsonObject> Workloads => Objects.Where(o => o.Str("kind") is "Deployment" or "StatefulSet");
}

/// <summary>Renders the kustomizations once per test run (kubectl and node are slow to start) and shares the results.</summary>
internal static class Manifests
{
    public const string Base = "k8s/base";
    public const string Dev = "k8s/overlays/dev";
    public const string Prod = "k8s/overlays/prod";

    /// <summary>Every kustomization operators may apply (base included: it is the production shape without TLS).</summary>
    public static TheoryData<string> All => [Base, Dev, Prod];

    private static readonly ConcurrentDictionary<string, Lazy<Task<Rendering>>> Renderings = new();

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static Task<Rendering> RenderAsync(string kustomization) =>
        Renderings.GetOrAdd(kustomization, path => new Lazy<Task<Rendering>>(() => RenderUncachedAsync(path))).Value;

    private static async Task<Rendering> RenderUncachedAsync(string kustomization)
    {
        var validator = Path.Combine(RepositoryRoot, "k8s", "validate");
        if (!Directory.Exists(Path.Combine(validator, "node_modules", "kubernetes-models")))
        {
            throw new InvalidOperationException(
                "k8s/validate has no node_modules: run `npm ci --prefix k8s/validate` (./test.sh does it); " +
                "the schema validation never skips");
        }

        var yaml = await RunAsync("kubectl", ["kustomize", Path.Combine(RepositoryRoot, kustomization)], stdin: null,
            "kubectl is required to render k8s/ (kustomize is built in): install it from the Kubernetes package repository " +
            "(https://kubernetes.io/docs/tasks/tools/), or put any kubectl ≥ 1.30 binary on PATH");
        var json = await RunAsync("node", [Path.Combine(validator, "validate.mjs"), "--json"], stdin: yaml,
            "node (≥ 20) is required for the schema validation in k8s/validate: apt-get install -y nodejs npm",
            acceptExitCodes: [0, 1]);

        var result = JsonNode.Parse(json)!.AsObject();
        return new Rendering(
            kustomization,
            [.. result["objects"]!.AsArray().Select(o => o!.AsObject())],
            [.. result["problems"]!.AsArray().Select(p => p!.GetValue<string>())]);
    }

    private static async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? stdin, string howToInstall, int[]? acceptExitCodes = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (Win32Exception exception)
        {
            throw new InvalidOperationException($"{program} not found ({exception.Message}): {howToInstall}", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
                process.StandardInput.Close();
            }

            // A bound, not a pause: both tools finish in about a second; a hung one fails the test.
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within 2 minutes");
            }
            if (!(acceptExitCodes ?? [0]).Contains(process.ExitCode))
            {
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
            }

            return await output;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Resolver.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Resolver.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>Small readers over rendered objects.</summary>
internal static class JsonExtensions
{
    public static string? Str(this JsonNode? node, string property) =>
        node?[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static string? Str(this JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static long? Number(this JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

    public static bool? Bool(this JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    public static JsonObject PodSpec(this JsonObject workload) => workload["spec"]!["template"]!["spec"]!.AsObject();

    public static IReadOnlyDictionary<string, string> Labels(this JsonNode? labels) =>
        labels?.AsObject().ToDictionary(p => p.Key, p => p.Value.Str() ?? "") ?? [];

    public static IReadOnlyDictionary<string, string> TemplateLabels(this JsonObject workload) =>
        workload["spec"]!["template"]!["metadata"]?["labels"].Labels() ?? new Dictionary<string, string>();

    /// <summary>True when every pair of <paramref name="selector"/> is in <paramref name="labels"/> (an empty selector matches nothing here: we never mean "all pods").</summary>
    public static bool Selects(this IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    public static IEnumerable<JsonObject> Containers(this JsonObject workload) =>
        workload.PodSpec()["containers"]!.AsArray().Select(c => c!.AsObject());

    public static string Name(this JsonObject obj) => $"{obj.Str("kind")}/{obj["metadata"].Str("name")}";
}
