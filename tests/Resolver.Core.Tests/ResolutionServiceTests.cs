using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Resolution;
using Resolver.Core.Security;
using Resolver.Core.Storage;
using Resolver.Core.Tests.Security;
using Resolver.Testing;

namespace Resolver.Core.Tests;

/// <summary>The resolution path over in-memory prefixes and a fake last stage: routes, and what reaches the chain.</summary>
public sealed class ResolutionServiceTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
    private readonly CountingStage _records = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ResolutionService Service(params PrefixEntry[] prefixes)
    {
        var store = new InMemoryPrefixStore();
        foreach (var entry in prefixes)
        {
            store.Entries[entry.Prefix] = entry;
        }

        return new(IdentifierParser.Default, new PrefixDirectory(store, TimeProvider.System), _records, new AccessDirectory(new InMemoryAccessStore(store), TimeProvider.System), new ResolutionMetrics(new TestMeterFactory()), Recursion.None, ResolverLimits.Default);
    }

    [Fact]
    public async Task Resolve_UnderADelegatedPrefix_AnswersAReferralWithoutReadingRecords()
    {
        var service = Service(
            new PrefixEntry("88", PrefixKind.Homed, [], At),
            new PrefixEntry("88.168", PrefixKind.Delegated, ["https://secondary.example:5443"], At));

        var outcome = await service.ResolveAsync(ResolveQuery.For("88.168.1/X"), Caller.Anonymous, Ct);

        Assert.Null(outcome.Problem);
        Assert.Equal("88.168", outcome.Referral!.Prefix);
        Assert.Equal(["https://secondary.example:5443"], outcome.Referral.Endpoints);
        Assert.Equal(ResolutionService.ReferralTtl, outcome.Referral.Ttl);
        Assert.Empty(_records.Asked);
    }

    [Fact]
    public async Task Resolve_HomedPrefixUnderADelegation_LongestMatchIsLocal()
    {
        var service = Service(
            new PrefixEntry("88.168", PrefixKind.Delegated, ["https://secondary.example:5443"], At),
            new PrefixEntry("88.168.1", PrefixKind.Homed, [], At));

        var outcome = await service.ResolveAsync(ResolveQuery.For("88.168.1/X"), Caller.Anonymous, Ct);

        Assert.Null(outcome.Referral);
        Assert.Equal(Reasons.IdentifierNotFound, outcome.Problem!.Reason);
        Assert.Equal(["88.168.1/x"], _records.Asked);
    }

    [Fact]
    public async Task Resolve_UnknownPrefix_IsPrefixNotHomedAndReadsNothing()
    {
        var service = Service(new PrefixEntry("88.168", PrefixKind.Homed, [], At));

        var outcome = await service.ResolveAsync(ResolveQuery.For("89.1/X"), Caller.Anonymous, Ct);

        Assert.Equal(Reasons.PrefixNotHomed, outcome.Problem!.Reason);
        Assert.Empty(_records.Asked);
    }

    [Fact]
    public async Task Resolve_BatchWithDuplicates_AsksTheChainOncePerDistinctKey()
    {
        var service = Service(new PrefixEntry("88.168", PrefixKind.Homed, [], At));

        var outcomes = await service.ResolveAsync([ResolveQuery.For("88.168/A"), ResolveQuery.For("88.168/a"), ResolveQuery.For("88.168/B")], Caller.Anonymous, Ct);

        Assert.Equal(3, outcomes.Length);
        Assert.Equal(["88.168/a", "88.168/b"], _records.Asked);
    }

    [Fact]
    public async Task Resolve_ChainAnswersUnavailable_IsThatItemsProblem()
    {
        var service = Service(new PrefixEntry("88.168", PrefixKind.Homed, [], At));
        _records.Answer = new RecordLookup(null, Problem: new Problem(ErrorKind.Unavailable, Reasons.StoreUnavailable, "down"));

        var outcome = await service.ResolveAsync(ResolveQuery.For("88.168/A"), Caller.Anonymous, Ct);

        Assert.Equal(ErrorKind.Unavailable, outcome.Problem!.Kind);
    }

    [Fact]
    public async Task Resolve_RecordL1HoldsAnsweredWhole_IsHeldByL1_AFilteredCopyIsNot()
    {
        var service = Service(new PrefixEntry("88.168", PrefixKind.Homed, [], At));
        var record = new HandleRecord("88.168/A", "88.168/A", 1,
            [new HandleValue(1, "URL", ValueData.FromText("https://a"), 60, At, ValuePermissions.Default, []), new HandleValue(2, "EMAIL", ValueData.FromText("a@b"), 60, At, ValuePermissions.Default, [])], At, At);
        _records.Answer = new RecordLookup(record, HeldByL1: true);

        var whole = await service.ResolveAsync(ResolveQuery.For("88.168/A"), Caller.Anonymous, Ct);
        var filtered = await service.ResolveAsync(new ResolveQuery("88.168/A", new ValueFilter(["URL"], [])), Caller.Anonymous, Ct);

        Assert.True(whole.HeldByL1);
        Assert.Same(record, whole.Record);
        Assert.False(filtered.HeldByL1);
        Assert.Single(filtered.Record!.Values);

        _records.Answer = new RecordLookup(record); // read for this call (Redis, the store): answered whole, not L1's
        Assert.False((await service.ResolveAsync(ResolveQuery.For("88.168/A"), Caller.Anonymous, Ct)).HeldByL1);
    }

    /// <summary>A last stage that records which keys reached it and answers "not found" (or <see cref="Answer"/>).</summary>
    private sealed class CountingStage : IRecordSource
    {
        public List<string> Asked { get; } = [];

        public RecordLookup Answer { get; set; }

        public ValueTask<IReadOnlyList<RecordLookup>> GetManyAsync(IReadOnlyList<RecordKey> keys, ReadContext context, CancellationToken cancellationToken)
        {
            Asked.AddRange(keys.Select(k => k.Key));
            return ValueTask.FromResult<IReadOnlyList<RecordLookup>>([.. keys.Select(_ => Answer)]);
        }
    }
}
