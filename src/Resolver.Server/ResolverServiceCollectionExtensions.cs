using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Resolver.Caching;
using Resolver.Core;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Registry;
using Resolver.Core.Resolution;
using Resolver.Core.Storage;
using Resolver.Server.Configuration;
using Resolver.Server.Api;
using Resolver.Server.Health;
using Resolver.Server.Security;
using Resolver.Core.Security;

namespace Resolver.Server;

/// <summary>The node's composition: settings, store, resolution pipeline, gRPC and health.</summary>
public static class ResolverServiceCollectionExtensions
{
    /// <summary>Adds everything the node runs on.</summary>
    public static IServiceCollection AddResolverServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ResolverServerOptions>()
            .Bind(configuration.GetSection(ResolverServerOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ResolverServerOptions>, ResolverServerOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ResolverServerOptions>>().Value.ToLimits());
        services.TryAddSingleton(sp => new IdentifierParser(sp.GetRequiredService<IOptions<ResolverServerOptions>>().Value.ToSyntax()));

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
        services.AddHostedService<StoreMigration>();
        services.TryAddSingleton<AccessDirectory>();
        services.TryAddSingleton<AuditTrail>();
        services.TryAddSingleton<AccessAdministration>();
        services.TryAddSingleton<JwtValidator>();
        services.TryAddSingleton<CallerAuthentication>();

        // The read path: L1 → Redis L2 (with --redis) → store; writes announce themselves to every replica's caches.
        services.AddMetrics();
        services.TryAddSingleton<CacheMetrics>();
        services.TryAddSingleton(sp => CacheTiers.Start(
            sp.GetRequiredService<IOptions<ResolverServerOptions>>().Value.ToCacheOptions(),
            sp.GetRequiredService<PrefixDirectory>().Invalidate,
            sp.GetRequiredService<AccessDirectory>().Invalidate,
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
                sp.GetRequiredService<IOptions<ResolverServerOptions>>().Value.ToChangeFeedOptions(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<ChangeFeed>>());
            sp.GetRequiredService<CacheTiers>().ChangeAnnounced += feed.Nudge;
            return feed;
        });
        services.AddHostedService<ChangeFeedService>();
        services.TryAddSingleton<IRecordSource, CachedRecordSource>();
        services.TryAddSingleton<PrefixDirectory>();
        services.TryAddSingleton<ResolutionService>();

        // The write path.
        services.TryAddSingleton<ValueEditor>();
        services.TryAddSingleton<RecordRegistry>();
        services.TryAddSingleton<PrefixAdministration>();

        services.AddGrpc(options => options.Interceptors.Add<ProblemInterceptor>());
        services.AddSingleton<IConfigureOptions<global::Grpc.AspNetCore.Server.GrpcServiceOptions>, GrpcLimitsSetup>();
        services.AddGrpcReflection();
        services.AddResolverRateLimiting();
        services.AddResolverHealthChecks();
        return services;
    }

    /// <summary>Maps the gRPC services, reflection and health endpoints.</summary>
    public static WebApplication MapResolverEndpoints(this WebApplication app)
    {
        app.UseRateLimiter();
        app.UseMiddleware<MalformedRequestMiddleware>();
        app.MapGrpcService<ResolutionGrpcService>();
        app.MapGrpcService<RegistryGrpcService>();
        app.MapGrpcService<AdminGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapResolverHealthProbes();
        return app;
    }
}
