namespace Resolver.Deployment.Tests;

/// <summary>What each kustomization is for: production shape (base, prod), TLS (prod), one SQLite node (dev).</summary>
public sealed class OverlayTests
{
    public static TheoryData<string> Production => [Manifests.Base, Manifests.Prod];

    [Theory]
    [MemberData(nameof(Production))]
    public async Task ProductionShape_Rendered_RunsSeveralReplicasUnderHpaAndPdb(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var server = rendering.Server;
        var labels = server.TemplateLabels();


        var hpa = Assert.Single(rendering.OfKind("HorizontalPodAutoscaler"));
        var target = hpa["spec"]!["scaleTargetRef"]!;
        Assert.Equal(("apps/v1", "Deployment", "resolver"), (target.Str("apiVersion"), target.Str("kind"), target.Str("name")));
        Assert.True(hpa["spec"]!["minReplicas"].Number() >= 3, $"{kustomization}: the HPA may scale below 3 replicas");
        Assert.True(hpa["spec"]!["maxReplicas"].Number() >= hpa["spec"]!["minReplicas"].Number());
        // The HPA owns the count: a count in the manifest would be re-applied by every `kubectl apply`,
        // cutting a scaled-out Deployment back to it in the middle of a peak.
        Assert.True(server["spec"]!["replicas"] is null, $"{kustomization}: the HPA-managed Deployment also sets replicas");
        Assert.Contains(hpa["spec"]!["metrics"]!.AsArray(), m => m.Str("type") == "Resource" && m!["resource"].Str("name") == "cpu");

        var pdb = Assert.Single(rendering.OfKind("PodDisruptionBudget"));
        Assert.True(pdb["spec"]!["selector"]!["matchLabels"].Labels().Selects(labels), $"{kustomization}: the PodDisruptionBudget does not select the server pods");
        Assert.True(pdb["spec"]!["maxUnavailable"] is not null || pdb["spec"]!["minAvailable"] is not null);
        Assert.NotNull(server.PodSpec()["topologySpreadConstraints"]);
    }

    [Theory]
    [MemberData(nameof(Production))]
    public async Task ProductionShape_Rendered_KeepsTheCleartextPortsInsideTheCluster(string kustomization)
    {
        // 5280 (gRPC, bearer tokens in the clear) and 5281 (REST, /metrics) must never be open to every source.
        var rendering = await Manifests.RenderAsync(kustomization);
        var serverLabels = rendering.Server.TemplateLabels();
        var policies = rendering.OfKind("NetworkPolicy").Where(p => p["spec"]!["podSelector"]!["matchLabels"].Labels().Selects(serverLabels)).ToList();

        Assert.True(policies.Count > 0, $"{kustomization}: no NetworkPolicy selects the server pods, so every pod in the cluster reaches their cleartext ports");
        foreach (var rule in policies.SelectMany(p => p["spec"]!["ingress"]!.AsArray()))
        {
            var ports = rule!["ports"]?.AsArray().Select(port => port!["port"].Number()).ToList() ?? [];
            var fromAnywhere = rule["from"] is null || rule["from"]!.AsArray().Count == 0;
            Assert.False(fromAnywhere && (ports.Count == 0 || ports.Contains(5280) || ports.Contains(5281)),
                $"{kustomization}: a NetworkPolicy rule opens the cleartext ports (5280/5281) to every source");
        }
    }

    [Theory]
    [MemberData(nameof(Production))]
    public async Task ProductionRedis_Rendered_AcceptsOnlyItsAclUser_WithThePasswordTheServerGetsFromTheSameSecret(string kustomization)
    {
        // Issue 25 item 19: the NetworkPolicy is not the only fence. RedisAclTests runs the same ACL on a real redis-server.
        var rendering = await Manifests.RenderAsync(kustomization);
        var redis = rendering.Find("StatefulSet", "resolver-redis")!.Containers().Single();
        var script = string.Join('\n', redis["args"]!.AsArray().Select(a => a.Str()));
        var redisPassword = redis["env"]!.AsArray().Single(e => e.Str("name") == "REDIS_PASSWORD")!["valueFrom"]!["secretKeyRef"]!;
        var serverPassword = rendering.ServerContainer["env"]!.AsArray().Single(e => e.Str("name") == "RESOLVER_REDIS_PASSWORD")!["valueFrom"]!["secretKeyRef"]!;

        Assert.Contains("user default off", script, StringComparison.Ordinal);
        Assert.Contains("user resolver on >%s ~resolver:* &resolver:*", script, StringComparison.Ordinal);
        Assert.Contains("--aclfile /data/users.acl", script, StringComparison.Ordinal);
        Assert.DoesNotContain("nopass", script, StringComparison.Ordinal);
        Assert.Equal("resolver", rendering.Settings["RESOLVER_REDIS_USER"].Str());
        Assert.Equal((redisPassword.Str("name"), redisPassword.Str("key")), (serverPassword.Str("name"), serverPassword.Str("key")));
        Assert.NotEqual(true, redisPassword["optional"].Bool()); // Redis never starts without its password
    }

    [Theory]
    [MemberData(nameof(Production))]
    public async Task ProductionShape_Rendered_UsesPostgresAndRedisThatOnlyTheServerReaches(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var settings = rendering.Settings;
        var serverLabels = rendering.Server.TemplateLabels();

        Assert.StartsWith("postgres:Host=resolver-postgres;", settings["RESOLVER_STORE"].Str(), StringComparison.Ordinal);
        Assert.StartsWith("resolver-redis:", settings["RESOLVER_REDIS"].Str(), StringComparison.Ordinal);
        var password = rendering.ServerContainer["env"]!.AsArray().SingleOrDefault(e => e.Str("name") == "PGPASSWORD");
        Assert.NotNull(password?["valueFrom"]?["secretKeyRef"]);

        foreach (var name in (string[])["resolver-postgres", "resolver-redis"])
        {
            var statefulSet = rendering.Find("StatefulSet", name);
            Assert.NotNull(statefulSet);
            var pods = statefulSet.TemplateLabels();
            var policies = rendering.OfKind("NetworkPolicy").Where(p => p["spec"]!["podSelector"]!["matchLabels"].Labels().Selects(pods)).ToList();
            Assert.True(policies.Count > 0, $"{kustomization}: no NetworkPolicy selects {name}");

            foreach (var policy in policies)
            {
                Assert.Contains(policy["spec"]!["policyTypes"]!.AsArray(), t => t.Str() == "Ingress");
                var rules = policy["spec"]!["ingress"]!.AsArray();
                Assert.NotEmpty(rules);
                foreach (var peer in rules.SelectMany(r => r!["from"]?.AsArray() ?? []))
                {
                    // Only pods of this namespace carrying the server's labels: no namespaceSelector or ipBlock opening.
                    Assert.True(peer!.AsObject().Count == 1 && peer["podSelector"]?["matchLabels"].Labels().Selects(serverLabels) == true,
                        $"{kustomization}: {policy.Name()} admits {peer.ToJsonString()}, not only the server pods");
                }

                Assert.DoesNotContain(rules, r => r!["from"] is null);
            }
        }

        // The database keeps its data on a claim; Redis deliberately does not (k8s/base/redis/statefulset.yaml).
        Assert.NotNull(rendering.Find("StatefulSet", "resolver-postgres")!["spec"]!["volumeClaimTemplates"]);
    }

    [Fact]
    public async Task Prod_Rendered_ServesTlsFromTheMountedSecret()
    {
        var rendering = await Manifests.RenderAsync(Manifests.Prod);
        var settings = rendering.Settings;
        var container = rendering.ServerContainer;
        var pod = rendering.Server.PodSpec();

        var url = new Uri(settings["RESOLVER_HTTPS_URL"].Str()!);
        Assert.Equal("https", url.Scheme);
        Assert.Contains(container["ports"]!.AsArray(), p => p.Str("name") == "https" && p!["containerPort"].Number() == url.Port);

        var tlsVolume = pod["volumes"]!.AsArray().Single(v => v!["secret"] is not null);
        var mount = container["volumeMounts"]!.AsArray().Single(m => m.Str("name") == tlsVolume.Str("name"));
        foreach (var file in (string[])["RESOLVER_TLS_CERT", "RESOLVER_TLS_KEY"])
        {
            Assert.StartsWith(mount.Str("mountPath") + "/", settings[file].Str(), StringComparison.Ordinal);
        }

        foreach (var service in (string[])["resolver", "resolver-headless"])
        {
            Assert.Contains(rendering.Find("Service", service)!["spec"]!["ports"]!.AsArray(), p => p.Str("targetPort") == "https");
        }
    }

    [Fact]
    public async Task Dev_Rendered_RunsOneSqliteNodeOnAClaimWithoutRedisOrAutoscaling()
    {
        var rendering = await Manifests.RenderAsync(Manifests.Dev);
        var server = rendering.Server;
        var settings = rendering.Settings;

        Assert.Equal(1, server["spec"]!["replicas"].Number());
        // Two pods must never open one SQLite file: the old pod stops before the new one starts.
        Assert.Equal("Recreate", server["spec"]!["strategy"].Str("type"));
        Assert.Null(server["spec"]!["strategy"]!["rollingUpdate"]);

        var store = settings["RESOLVER_STORE"].Str() ?? "";
        Assert.True(store.Length == 0 || store.StartsWith("sqlite:", StringComparison.Ordinal), $"dev store is '{store}', not SQLite");
        Assert.Equal("", settings["RESOLVER_REDIS"].Str());

        var dataDir = settings["RESOLVER_DATA_DIR"].Str();
        var mount = rendering.ServerContainer["volumeMounts"]!.AsArray().Single(m => m.Str("mountPath") == dataDir);
        var volume = server.PodSpec()["volumes"]!.AsArray().Single(v => v.Str("name") == mount.Str("name"));
        var claim = volume!["persistentVolumeClaim"].Str("claimName");
        Assert.NotNull(claim);
        Assert.NotNull(rendering.Find("PersistentVolumeClaim", claim));
        Assert.Null(volume["emptyDir"]);

        Assert.Empty(rendering.OfKind("HorizontalPodAutoscaler"));
        Assert.Empty(rendering.OfKind("PodDisruptionBudget"));
        Assert.Empty(rendering.OfKind("StatefulSet"));
    }

    [Fact]
    public async Task Overlays_Rendered_EachInItsOwnNamespace()
    {
        var dev = await Manifests.RenderAsync(Manifests.Dev);
        var prod = await Manifests.RenderAsync(Manifests.Prod);

        static string? Namespace(Rendering rendering) => rendering.Server["metadata"].Str("namespace");

        Assert.NotNull(Namespace(dev));
        Assert.NotNull(Namespace(prod));
        Assert.NotEqual(Namespace(dev), Namespace(prod));
        foreach (var rendering in (Rendering[])[dev, prod])
        {
            Assert.All(rendering.Objects.Where(o => o.Str("kind") != "Namespace"), o => Assert.Equal(Namespace(rendering), o["metadata"].Str("namespace")));
            Assert.NotNull(rendering.Find("Namespace", Namespace(rendering)!));
        }
    }
}
