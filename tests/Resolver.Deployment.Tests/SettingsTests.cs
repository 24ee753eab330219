using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Resolver.Server;

namespace Resolver.Deployment.Tests;

/// <summary>
/// Every setting the server reads (ServerSettings.All) has a decided value in the cluster: an entry in the server's
/// ConfigMap (its default, or a value with a reason) or, for credentials, a Secret reference. A setting added to the
/// server without either fails here, and so does a ConfigMap entry the server would silently ignore.
/// </summary>
public sealed class SettingsTests
{
    // Credentials: never in a ConfigMap (readable by anyone who may read the namespace's configuration).
    private static readonly HashSet<string> Credentials = ["RESOLVER_ADMIN_TOKEN", "RESOLVER_JWT_SIGNING_KEY", "RESOLVER_SITE_TOKEN", "RESOLVER_REDIS_PASSWORD"];

    [Theory]
    [MemberData(nameof(Manifests.All), MemberType = typeof(Manifests))]
    public async Task EverySetting_Rendered_IsInTheConfigMapOrASecretReference(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var configMap = rendering.Settings;
        var env = Env(rendering.ServerContainer);
        var violations = new List<string>();

        foreach (var setting in ServerTables.Settings)
        {
            var secret = env.TryGetValue(setting.Variable, out var entry) && entry?["valueFrom"]?["secretKeyRef"] is not null;
            if (Credentials.Contains(setting.Variable))
            {
                if (!secret)
                {
                    violations.Add($"{setting.Variable} ({setting.Flag}) is a credential: give it as a secretKeyRef in the server's env");
                }

                if (configMap.ContainsKey(setting.Variable))
                {
                    violations.Add($"{setting.Variable} is a credential and must not be in the ConfigMap");
                }
            }
            else if (!configMap.ContainsKey(setting.Variable) && !env.ContainsKey(setting.Variable))
            {
                violations.Add($"{setting.Variable} ({setting.Flag}) is read by the server but has no entry in k8s/base/server/settings.env: add it with its default");
            }
        }

        Violations.None(violations.Select(v => $"{kustomization}: {v}"));
    }

    [Theory]
    [MemberData(nameof(Manifests.All), MemberType = typeof(Manifests))]
    public async Task ConfigMapEntries_Rendered_AreSettingsTheServerAccepts(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var known = ServerTables.Settings.ToDictionary(s => s.Variable);
        var violations = new List<string>();

        foreach (var (name, value) in rendering.Settings)
        {
            if (known.TryGetValue(name, out var setting))
            {
                var text = value.Str() ?? "";
                // Empty means "not set": the server's default applies.
                if (text.Length > 0)
                {
                    try
                    {
                        setting.Check(text);
                    }
                    catch (Exception exception) when (exception.GetType().Name == "SettingsException")
                    {
                        violations.Add($"{name}: {exception.Message}");
                    }
                }

                if (text.Contains("Password=", StringComparison.OrdinalIgnoreCase))
                {
                    violations.Add($"{name} holds a password; take it from a Secret (PGPASSWORD for PostgreSQL)");
                }
            }
            else
            {
                violations.Add($"{name} is not a server setting (a typo? the server ignores unknown variables)");
            }
        }

        Violations.None(violations.Select(v => $"{kustomization}: {v}"));
    }

    [Theory]
    [MemberData(nameof(Manifests.All), MemberType = typeof(Manifests))]
    public async Task ServerSettings_Rendered_PassTheServersOwnValidation(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var configMap = rendering.Settings;
        var env = Env(rendering.ServerContainer);
        var scratch = Directory.CreateTempSubdirectory("resolver-deployment-");
        try
        {
            // The cluster's values as flags, except what only exists in a pod: the data directory, the mounted
            // TLS files and the Secrets' contents are stand-ins here. Nothing is started or connected to.
            var args = new List<string>();
            foreach (var setting in ServerTables.Settings)
            {
                var value = setting.Variable switch
                {
                    "RESOLVER_DATA_DIR" => scratch.FullName,
                    "RESOLVER_TLS_CERT" or "RESOLVER_TLS_KEY" when configMap[setting.Variable].Str() is { Length: > 0 } =>
                        StandIn(scratch, setting.Variable),
                    _ when env.TryGetValue(setting.Variable, out var entry) && entry?["valueFrom"]?["secretKeyRef"] is not null =>
                        new string('s', 32),
                    _ when env.TryGetValue(setting.Variable, out var entry) && entry?["valueFrom"]?["fieldRef"]?.Str("fieldPath") == "status.podIP" =>
                        "10.0.0.10", // what the kubelet fills in
                    _ => configMap[setting.Variable].Str() ?? "",
                };
                if (value.Length > 0)
                {
                    args.AddRange([setting.Flag, value]);
                }
            }

            await using var app = ResolverHost.Build([.. args]);

            // Reading each options value runs the server's validators, as ValidateOnStart does.
            var violations = new List<string>();
            foreach (var options in ServerTables.Settings.Select(s => s.Options).Distinct())
            {
                var accessor = app.Services.GetService(typeof(IOptions<>).MakeGenericType(options))!;
                if (Record.Exception(() => accessor.GetType().GetProperty("Value")!.GetValue(accessor)) is { } failure)
                {
                    violations.Add($"{kustomization}: the server refuses its settings: {(failure.InnerException ?? failure).Message}");
                }
            }

            Violations.None(violations);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static string StandIn(DirectoryInfo scratch, string variable)
    {
        var path = Path.Combine(scratch.FullName, variable);
        File.WriteAllText(path, "");
        return path;
    }

    private static Dictionary<string, JsonNode?> Env(JsonObject container) =>
        container["env"]?.AsArray().ToDictionary(e => e.Str("name")!, e => e) ?? [];
}
