using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Resolver.Caching;
using Resolver.Core;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Registry;
using Resolver.Core.Templates;
using Resolver.Core.Resolution;
using Resolver.Core.Storage;
using Resolver.Server.Configuration;
using Resolver.Server.Api;
using Resolver.Server.Calls;
using Resolver.Server.Health;
using Resolver.Server.Rest;
using Resolver.Server.Security;
using Resolver.Federation;
using Resolver.Server.Federation;
using Resolver.Server.Telemetry;
using Resolver.Core.Security;

using Resolver.Server.HandleWire;

namespace Resolver.Server;

/// <summary>The node's composition: settings, store, resolution pipeline, gRPC and health.</summary>
public static class ResolverServiceCollectionExtensions
{
    /// <summary>Adds everything the node runs on.</summary>
    public static IServiceCollection AddResolverServer(this IServiceCollection services)
    {
        // Each component's settings, bound from the "Resolver" section and checked before the server takes calls.
        services.AddSettings<EndpointOptions>();
        services.AddSettings<StoreOptions>();
        services.AddSettings<SecurityOptions>();
        services.AddSettings<CacheTierOptions>();
        services.AddSettings<LimitOptions>();
        services.AddSettings<OperationsOptions>();
        services.AddSettings<FederationOptions>();
        services.AddSettings<ChangeLogOptions>();
        services.AddSettings<HandleOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EndpointOptions>, SettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StoreOptions>, SettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SecurityOptions>, SettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OperationsOptions>, SettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FederationOptions>, SettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HandleOptions>, SettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheTierOptions>, SettingsValidator>());

        services.TryAddSingleton(TimeProvider.System);

        // The GC heap's hard limit, derived from the L1 budget unless the operator chose one (docs/operations.md); it is
        // set as the host starts, before anything fills the heap.
        services.TryAddSingleton<IGcHeapLimit, ProcessGcHeapLimit>();
        services.AddHostedService<HeapLimit>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<LimitOptions>>().Value.ToLimits());
        services.TryAddSingleton(sp => new IdentifierParser(sp.GetRequiredService<IOptions<LimitOptions>>().Value.ToSyntax()));

        // The store --store names (SQLite by default), behind the same interfaces.
        services.TryAddSingleton<ConfiguredStore>();
        services.TryAddSingleton(sp => sp.GetRequiredService<ConfiguredStore>().Schema);
        services.TryAddSingleton(sp => sp.GetRequiredService<ConfiguredStore>().Records);
        services.TryAddSingleton(sp => sp.GetRequiredService<ConfiguredStore>().Changes);
        services.TryAddSingleton(sp => sp.GetRequiredService<ConfiguredStore>().Prefixes);
        services.TryAddSingleton(sp => sp.GetRequiredService<ConfiguredStore>().Access);

        // Security: who calls (admin token, enterprise API keys), what they may do, and the audit log.
        // The admin credential is checked first, so that a bad one stops the server before it touches the store.
        services.TryAddSingleton<AdminCredential>();
        services.AddHostedService(sp => sp.GetRequiredService<AdminCredential>());
        services.TryAddSingleton<StoreMigration>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreMigration>());
        services.TryAddSingleton<AccessDirectory>();
        services.TryAddSingleton<AuditTrail>();
        services.TryAddSingleton<AccessAdministration>();
        services.TryAddSingleton<JwtValidator>();
        services.TryAddSingleton<RefusedCredentialAudit>();
        services.TryAddSingleton<CredentialRecheck>();
        services.AddHostedService(sp => sp.GetRequiredService<RefusedCredentialAudit>());

        // One inbound pipeline for every wire: credential → rate limit → refusal → deadline (docs/architecture.md).
        services.TryAddSingleton<CredentialVerifier>();
        services.TryAddSingleton<CallRateLimiter>();
        services.TryAddSingleton<CallPipeline>();
        services.TryAddSingleton<ProblemClassifier>();

        // The resolution chain, first stage to last; each stage knows only the next (docs/architecture.md).
        // A stage joins with one line here (or, in a test, services.Configure<RecordSourceChain>(c => c.InsertBefore<…>())).
        services.Configure<RecordSourceChain>(chain => chain
            .Then<CachedRecordSource>()     // L1 → Redis L2 (with --redis); stale answers while the next stage is down
            .Then<MissCoalescer>()          // concurrent misses of one key become one read
            .Then<SiteRecordSource>()       // with --recursive: keys other nodes serve, one call per site per hop
            .Then<ReadBatcher>()            // concurrent reads of different keys become one query (--store-max-queries)
            .Then<StoreRecordSource>());    // this node's store, one batched query
        services.TryAddSingleton(sp => new ReadBatching(sp.GetRequiredService<IOptions<StoreOptions>>().Value.StoreMaxQueries));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<RecordSourceChain>>().Value.Build((stage, next) =>
            (IRecordSource)(next is null ? ActivatorUtilities.CreateInstance(sp, stage) : ActivatorUtilities.CreateInstance(sp, stage, next))));

        // The cache tiers behind the chain's first stage; writes announce themselves to every replica's caches.
        services.AddResolverTelemetry();
        services.TryAddSingleton(sp => CacheTiers.Start(
            sp.GetRequiredService<IOptions<CacheTierOptions>>().Value.ToCacheOptions(sp.GetRequiredService<IStoreSchema>().Identity),
            sp.GetRequiredService<PrefixDirectory>().Invalidate,
            sp.GetRequiredService<AccessDirectory>().Announced,
            sp.GetRequiredService<CacheMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<CacheTiers>>()));
        services.TryAddSingleton<IChangeNotifier>(sp => sp.GetRequiredService<CacheTiers>());

        // The change feed reads the store's change log (nudged by the Redis announcements, polled whatever
        // Redis does) and tells the cache tiers of every change: the staleness bound does not rest on Redis.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChangeSubscriber, CacheTiers>(sp => sp.GetRequiredService<CacheTiers>()));
        services.TryAddSingleton(sp =>
        {
            var feed = new ChangeFeed(
                sp.GetRequiredService<IChangeLog>(),
                sp.GetServices<IChangeSubscriber>(),
                sp.GetRequiredService<IOptions<CacheTierOptions>>().Value.ToChangeFeedOptions(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ChangeFeed>>());
            sp.GetRequiredService<CacheTiers>().ChangeAnnounced += feed.Nudge;
            return feed;
        });
        services.AddHostedService<ChangeFeedService>();
        services.AddHostedService<ChangeLogPruning>();
        services.TryAddSingleton<PrefixDirectory>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<FederationOptions>>().Value.ToRecursion());
        // Federation (src/Resolver.Federation): one site client per site protocol, chosen by scheme, and the iterative resolver.
        services.TryAddSingleton(sp =>
        {
            var federation = sp.GetRequiredService<IOptions<FederationOptions>>().Value;
            return new SiteChannels(new GrpcSiteOptions(TimeSpan.FromMilliseconds(federation.SiteTimeoutMs), federation.SiteCaFile), sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISiteClient, GrpcSiteClient>());
        services.TryAddSingleton<HandleSites>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISiteClient, HandleSiteClient>());
        services.TryAddSingleton<SiteClients>();
        services.TryAddSingleton<SiteAnswers>();
        services.TryAddSingleton(sp =>
        {
            var federation = sp.GetRequiredService<IOptions<FederationOptions>>().Value;
            return new FollowingLimits(federation.MaxHops, TimeSpan.FromMilliseconds(federation.SiteTimeoutMs));
        });
        services.TryAddSingleton<IterativeResolver>();
        services.TryAddSingleton<LearnedReferrals>();
        services.TryAddSingleton<ResolutionService>();

        // The write path.
        services.TryAddSingleton<ValueEditor>();
        services.TryAddSingleton<RecordWriter>();
        // Validators (IRecordValidator) judge every write path: industry metadata templates (SPEC §6a, docs/templates.md).
        services.TryAddSingleton<TemplateCompiler>();
        services.TryAddSingleton<TemplateCatalog>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRecordValidator, TemplateValidator>());
        services.TryAddSingleton<IValueDefaults, TemplateValueDefaults>(); // private items' values private

        services.TryAddSingleton<RecordReader>();
        services.TryAddSingleton<PrefixAdministration>();
        services.TryAddSingleton<ChangeWatch>();

        // The Handle protocol (RFC 3652) on TCP and UDP: a listener that decodes into the same call pipeline (docs/handle-protocol.md).
        services.TryAddSingleton<NodeSite>();
        services.TryAddSingleton<HandleService>();
        services.TryAddSingleton<HandleDatagrams>();
        services.TryAddSingleton<HandleListener>();
        services.AddHostedService(sp => sp.GetRequiredService<HandleListener>());

        services.AddGrpc(options => options.Interceptors.Add<ProblemInterceptor>()).AddJsonTranscoding(); // /v1/… (docs/rest.md)
        // grpc-dotnet creates a service, and an interceptor, per call unless DI holds one: they keep no per-call state, so one of each serves all.
        services.TryAddSingleton<ProblemInterceptor>();
        services.TryAddSingleton<ResolutionGrpcService>();
        services.TryAddSingleton<RegistryGrpcService>();
        services.TryAddSingleton<BulkStreamSlots>();
        services.TryAddSingleton<AdminGrpcService>();
        services.AddSingleton<IConfigureOptions<global::Grpc.AspNetCore.Server.GrpcServiceOptions>, GrpcLimitsSetup>();
        services.AddGrpcReflection();
        services.AddResolverOpenApi();
        services.AddCrossOriginReads();
        services.AddUnaryCallTimeouts();
        services.AddResolverHealthChecks();

        // SIGTERM: readiness withdrawn at once, calls in flight get --drain-seconds, open streams end just before (docs/operations.md).
        services.TryAddSingleton<Draining>();
        services.AddOptions<HostOptions>().Configure<IOptions<OperationsOptions>>((host, operations) => host.ShutdownTimeout = TimeSpan.FromSeconds(operations.Value.DrainSeconds));
        return services;
    }

    // Binds one component's options from the "Resolver" section, with their validation attributes checked at start.
    private static void AddSettings<TOptions>(this IServiceCollection services)
        where TOptions : class
    {
        services.AddOptions<TOptions>().BindConfiguration(ServerSettings.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, SettingAttributesValidator<TOptions>>());
    }

    /// <summary>Maps the gRPC services (and their JSON transcoding), the Handle REST API, OpenAPI, reflection and health endpoints.</summary>
    public static WebApplication MapResolverEndpoints(this WebApplication app)
    {
        // HEAD is routed and answered as GET, without content (RFC 9110 §9.3.2), on every route.
        app.UseMiddleware<HeadRequests>();
        // Routing first, so that authentication and the rate limit see the endpoint, not the path's spelling.
        app.UseRouting();
        app.UseResolverTelemetry();
        // CORS preflights are answered before admission: a browser sends them without credentials and they run nothing.
        app.UseCors();
        // Every resolver call, whatever its HTTP wire, is admitted once here: credential, rate limit, refusal, deadline.
        app.UseMiddleware<HttpCallAdmission>();
        // The /v1 routes' path and query read as strictly as /api/handles reads its own, before the transcoder binds them.
        app.UseMiddleware<TranscodedRequests>();

        app.UseRequestTimeouts();
        app.MapGrpcService<ResolutionGrpcService>().WithUnaryCallTimeouts().WithCrossOriginReads();
        app.MapGrpcService<RegistryGrpcService>().WithUnaryCallTimeouts();
        app.MapGrpcService<AdminGrpcService>().WithUnaryCallTimeouts();
        app.MapHandleApi();
        app.MapResolverOpenApi();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapResolverHealthProbes();
        return app;
    }
}
