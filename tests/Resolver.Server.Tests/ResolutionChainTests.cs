using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Resolver.Caching;
using Resolver.Core.Resolution;
using Resolver.Core.Storage;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>The resolution chain as the composition root declares it, and a stage added with one line.</summary>
public sealed class ResolutionChainTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Chain_AsDeclared_IsTheOrderDocsArchitectureShows()
    {
        await using var server = await TestServer.StartAsync();

        var declared = server.Services.GetRequiredService<IOptions<RecordSourceChain>>().Value.ToString();

        Assert.Equal("CachedRecordSource → MissCoalescer → SiteRecordSource → ReadBatcher → StoreRecordSource", declared);
        Assert.Contains(declared, Repository.Read("docs", "architecture.md"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chain_StageInsertedInOneLine_SeesWhatMissesTheCacheAndNothingElse()
    {
        var seen = new List<string>();
        await using var server = await TestServer.StartAsync(services =>
        {
            services.AddSingleton(seen);
            services.Configure<RecordSourceChain>(chain => chain.InsertBefore<StoreRecordSource, SpyStage>());
        });
        await server.RegisterAsync("88.168.1/X", "https://x");

        await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/X" }, cancellationToken: Ct);
        await server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/x" }, cancellationToken: Ct);

        // The write put the record in L1; the spy sits behind the cache, so no read reached it.
        Assert.Empty(seen);

        await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => server.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/MISSING" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(["88.168.1/missing"], seen);
    }

    /// <summary>A pass-through stage that notes the keys it is asked for.</summary>
    private sealed class SpyStage(IRecordSource next, List<string> seen) : IRecordSource
    {
        public ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
        {
            lock (seen)
            {
                seen.AddRange(keys.Select(k => k.Key));
            }

            return next.GetManyAsync(keys, context, cancellationToken);
        }
    }
}
