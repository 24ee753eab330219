using System.Text.Json.Nodes;

namespace Resolver.Deployment.Tests;

/// <summary>What every kustomization must satisfy: valid Kubernetes objects, health as SPEC §5 defines it, bounded and locked-down pods, consistent selectors.</summary>
public sealed class ManifestTests
{
    [Theory]
    [MemberData(nameof(Manifests.All), MemberType = typeof(Manifests))]
    public async Task Kustomization_Rendered_EveryObjectValidatesAgainstKubernetesSchemas(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);

        Assert.NotEmpty(rendering.Objects);
        Violations.None(rendering.Problems.Select(p => $"{kustomization}: {p}"));
    }

    [Theory]
    [MemberData(nameof(Manifests.All), MemberType = typeof(Manifests))]
    public async Task ServerProbes_Rendered_UseGrpcHealthOnTheGrpcPort(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var container = rendering.ServerContainer;
        var grpcPort = ContainerPort(container, "grpc");
        var violations = new List<string>();

        // Liveness and startup: Check("") — the process answers; readiness: the resolution service, which is
        // NOT_SERVING only while starting or draining, so a store or Redis outage never empties the Service.
        Probe(container, "livenessProbe", grpcPort, ServerTables.LivenessHealthService, violations);
        Probe(container, "startupProbe", grpcPort, ServerTables.LivenessHealthService, violations);
        Probe(container, "readinessProbe", grpcPort, ServerTables.ResolutionHealthService, violations);

        Violations.None(violations.Select(v => $"{kustomization}: server container: {v}"));
    }

    [Theory]
    [MemberData(nameof(Manifests.All), MemberType = typeof(Manifests))]
    public async Task EveryContainer_Rendered_HasCpuAndMemoryRequestsAndLimits(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var violations = new List<string>();

        foreach (var workload in rendering.Workloads)
        {
            foreach (var container in workload.Containers())
            {
                foreach (var bound in (string[])["requests", "limits"])
                {
                    foreach (var resource in (string[])["cpu", "memory"])
                    {
                        if (container["resources"]?[bound]?[resource].Str() is not { Length: > 0 })
                        {
                            violations.Add($"{workload.Name()} container {container.Str("name")} has no resources.{bound}.{resource}");
                        }
                    }
                }
            }
        }

        Violations.None(violations.Select(v => $"{kustomization}: {v}"));
    }

    [Theory]
    [MemberData(nameof(Manifests.All), MemberType = typeof(Manifests))]
    public async Task EveryPod_Rendered_RunsNonRootOnAReadOnlyRootWithoutCapabilities(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var violations = new List<string>();

        foreach (var workload in rendering.Workloads)
        {
            var pod = workload.PodSpec()["securityContext"];
            foreach (var container in workload.Containers())
            {
                var own = container["securityContext"];
                var where = $"{workload.Name()} container {container.Str("name")}";
                if ((own?["runAsNonRoot"].Bool() ?? pod?["runAsNonRoot"].Bool()) != true)
                {
                    violations.Add($"{where}: runAsNonRoot is not true");
                }

                if ((own?["runAsUser"].Number() ?? pod?["runAsUser"].Number()) is null or 0)
                {
                    violations.Add($"{where}: no non-zero runAsUser (runAsNonRoot cannot check a named image user)");
                }

                if (own?["readOnlyRootFilesystem"].Bool() != true)
                {
                    violations.Add($"{where}: readOnlyRootFilesystem is not true");
                }

                if (own?["allowPrivilegeEscalation"].Bool() != false)
                {
                    violations.Add($"{where}: allowPrivilegeEscalation is not false");
                }

                if (own?["capabilities"]?["drop"]?.AsArray().Any(c => c.Str() == "ALL") != true)
                {
                    violations.Add($"{where}: capabilities.drop does not contain ALL");
                }
            }
        }

        Violations.None(violations.Select(v => $"{kustomization}: {v}"));
    }

    [Theory]
    [MemberData(nameof(Manifests.All), MemberType = typeof(Manifests))]
    public async Task Selectors_Rendered_MatchThePodsTheyMean(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var violations = new List<string>();
        var workloads = rendering.Workloads.ToList();

        foreach (var workload in workloads)
        {
            if (!workload["spec"]!["selector"]!["matchLabels"].Labels().Selects(workload.TemplateLabels()))
            {
                violations.Add($"{workload.Name()}: selector does not match its pod template's labels");
            }
        }

        foreach (var service in rendering.OfKind("Service"))
        {
            var selector = service["spec"]!["selector"].Labels();
            var targets = workloads.Where(w => selector.Selects(w.TemplateLabels())).ToList();
            if (targets.Count != 1)
            {
                violations.Add($"{service.Name()}: selector matches {targets.Count} workloads, not one");
                continue;
            }

            foreach (var port in service["spec"]!["ports"]!.AsArray())
            {
                var target = port!["targetPort"].Str();
                if (target is not null && !targets[0].Containers().Any(c => c["ports"]?.AsArray().Any(p => p.Str("name") == target) == true))
                {
                    violations.Add($"{service.Name()}: targetPort {target} is no container port of {targets[0].Name()}");
                }
            }
        }

        foreach (var statefulSet in rendering.OfKind("StatefulSet"))
        {
            var governing = statefulSet["spec"].Str("serviceName");
            if (rendering.Find("Service", governing ?? "") is not { } service || service["spec"].Str("clusterIP") != "None")
            {
                violations.Add($"{statefulSet.Name()}: serviceName {governing} is not a rendered headless Service");
            }
        }

        foreach (var policy in rendering.OfKind("NetworkPolicy"))
        {
            if (!workloads.Any(w => policy["spec"]!["podSelector"]!["matchLabels"].Labels().Selects(w.TemplateLabels())))
            {
                violations.Add($"{policy.Name()}: podSelector matches no workload, so it protects nothing");
            }
        }

        Violations.None(violations.Select(v => $"{kustomization}: {v}"));
    }

    [Theory]
    [MemberData(nameof(Manifests.All), MemberType = typeof(Manifests))]
    public async Task ServerPod_Rendered_DrainsWithinItsGracePeriod(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var pod = rendering.Server.PodSpec();
        var preStop = rendering.ServerContainer["lifecycle"]?["preStop"]?["sleep"]?["seconds"].Number() ?? 0;
        var drain = long.Parse(rendering.Settings["RESOLVER_DRAIN_SECONDS"].Str() ?? "20", System.Globalization.CultureInfo.InvariantCulture);
        var grace = pod["terminationGracePeriodSeconds"].Number() ?? 30;

        // The kubelet sends SIGTERM after the preStop pause; the server then drains for up to RESOLVER_DRAIN_SECONDS.
        // A grace period that ends first means SIGKILL in the middle of in-flight calls.
        Assert.True(grace > preStop + drain,
            $"{kustomization}: terminationGracePeriodSeconds {grace} must exceed the preStop pause {preStop} s + RESOLVER_DRAIN_SECONDS {drain} s");
    }

    [Theory]
    [MemberData(nameof(Manifests.All), MemberType = typeof(Manifests))]
    public async Task ServerPod_Rendered_IsScrapedAtTheMetricsEndpoint(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var annotations = rendering.Server["spec"]!["template"]!["metadata"]!["annotations"].Labels();

        Assert.Equal("true", annotations.GetValueOrDefault("prometheus.io/scrape"));
        Assert.Equal("/metrics", annotations.GetValueOrDefault("prometheus.io/path"));
        Assert.Equal(ContainerPort(rendering.ServerContainer, "http").ToString(System.Globalization.CultureInfo.InvariantCulture), annotations.GetValueOrDefault("prometheus.io/port"));
    }

    [Theory]
    [MemberData(nameof(Manifests.All), MemberType = typeof(Manifests))]
    public async Task ServerPod_Rendered_WritesOnlyToMountedVolumesWithinItsMemoryLimit(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var container = rendering.ServerContainer;
        var mounts = container["volumeMounts"]!.AsArray().Select(m => m.Str("mountPath")).ToList();

        // The root filesystem is read-only: the data directory and /tmp (the runtime's diagnostics socket) are volumes.
        Assert.Contains(rendering.Settings["RESOLVER_DATA_DIR"].Str(), mounts);
        Assert.Contains("/tmp", mounts);

        var memory = container["resources"]?["limits"]?["memory"].Str();
        Assert.True(memory is not null, $"{kustomization}: the server container has no memory limit");
        var limit = Quantity.Bytes(memory);
        var l1Mb = int.Parse(rendering.Settings["RESOLVER_L1_MAX_MB"].Str()!, System.Globalization.CultureInfo.InvariantCulture);
        var maxMessageBytes = int.Parse(rendering.Settings["RESOLVER_MAX_MESSAGE_BYTES"].Str()!, System.Globalization.CultureInfo.InvariantCulture);
        var bulkStreams = int.Parse(rendering.Settings["RESOLVER_MAX_BULK_STREAMS"].Str()!, System.Globalization.CultureInfo.InvariantCulture);
        var heap = ServerTables.DerivedHeapLimit(l1Mb, maxMessageBytes, bulkStreams);
        Assert.True(limit >= heap + ServerTables.OutsideHeapBytes, $"{kustomization}: memory limit {limit} bytes is below the {heap + ServerTables.OutsideHeapBytes} bytes a node with an L1 budget of {l1Mb} MiB needs (its derived heap limit plus what is not heap; docs/operations.md, \"Memory\")");

        // The node sets the derived heap limit only where the runtime's own (75 % of the container's limit) is looser.
        Assert.Equal("auto", rendering.Settings["RESOLVER_HEAP_LIMIT_MB"].Str());
        Assert.True(limit / 4 * 3 > heap, $"{kustomization}: the runtime's own heap limit (75 % of the memory limit {limit}) is below the derived {heap}, so the node would run under the runtime's");
    }

    [Theory]
    [MemberData(nameof(Manifests.All), MemberType = typeof(Manifests))]
    public async Task HeadlessService_Rendered_PublishesOnlyReadyServerPodsOnTheGrpcPort(string kustomization)
    {
        var rendering = await Manifests.RenderAsync(kustomization);
        var headless = rendering.Find("Service", "resolver-headless");

        Assert.NotNull(headless);
        Assert.Equal("None", headless["spec"].Str("clusterIP"));
        Assert.NotEqual(true, headless["spec"]!["publishNotReadyAddresses"].Bool());
        Assert.Contains(headless["spec"]!["ports"]!.AsArray(), p => p.Str("name") == "grpc" && p!["port"].Number() == 5280);
        Assert.True(headless["spec"]!["selector"].Labels().Selects(rendering.Server.TemplateLabels()));
    }

    private static long ContainerPort(JsonObject container, string name) =>
        container["ports"]!.AsArray().Single(p => p.Str("name") == name)!["containerPort"].Number()!.Value;

    private static void Probe(JsonObject container, string kind, long grpcPort, string service, List<string> violations)
    {
        if (container[kind] is not { } probe)
        {
            violations.Add($"no {kind}");
            return;
        }

        if (probe["grpc"] is not { } grpc)
        {
            violations.Add($"{kind} is not a grpc probe (grpc.health.v1, SPEC §5)");
            return;
        }

        if (grpc["port"].Number() != grpcPort)
        {
            violations.Add($"{kind} probes port {grpc["port"]}, not the gRPC port {grpcPort}");
        }

        var asked = grpc["service"].Str() ?? "";
        if (asked != service)
        {
            violations.Add($"{kind} asks for service '{asked}', not '{service}'");
        }
    }
}
