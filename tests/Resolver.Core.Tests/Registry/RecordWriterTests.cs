using Microsoft.Extensions.Time.Testing;
using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Registry;
using Resolver.Core.Security;
using Resolver.Core.Storage;
using Resolver.Core.Tests.Security;

namespace Resolver.Core.Tests.Registry;

/// <summary>
/// The write pipeline over in-memory stores. Mostly its validation hook (<see cref="IRecordValidator"/>): what a
/// validator is shown, and that its refusal refuses one item only, changes nothing, is answered with its problem and is
/// audited as every other refusal is. Also the batch rules no wire can reach (the server splits a stream so that an
/// identifier given twice lands in separate batches).
/// </summary>
public sealed class RecordWriterTests
{
    private const string Owner = "acme";

    // What a template validator would say of a record missing a required item (SPEC §6a).
    private static readonly Problem TemplateRefusal = new(ErrorKind.InvalidArgument, "template-item-missing", "item 2001 (batch number) is required by template 88.168.1/T-1 version 1");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 20, 0, 0, TimeSpan.Zero));
    private readonly InMemoryPrefixStore _prefixes = new();
    private readonly InMemoryAccessStore _access;
    private readonly InMemoryRecordStore _store = new();
    private readonly CommittedRecords _published = new();
    private readonly Caller _caller = Caller.ForEnterprise(Owner);

    public RecordWriterTests()
    {
        _access = new InMemoryAccessStore(_prefixes);
        _prefixes.Entries["88.168.1"] = new PrefixEntry("88.168.1", PrefixKind.Homed, [], _time.GetUtcNow(), Owner);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UpsertMany_ValidatorRefusesOneItem_RefusesThatItemOnlyWithItsProblem()
    {
        var validator = new RefusingValidator(record => record.Identifier == "88.168.1/B" ? TemplateRefusal : null);
        var writer = Writer(validator);

        var results = await writer.UpsertManyAsync(_caller, [Item("88.168.1/A"), Item("88.168.1/B"), Item("88.168.1/C")], Ct);

        Assert.Equal([WriteOutcome.Created, WriteOutcome.Failed, WriteOutcome.Created], results.Select(r => r.Outcome));
        Assert.Equal((TemplateRefusal, 0L), (results[1].Problem, results[1].Version));
        Assert.Equal(["88.168.1/a", "88.168.1/c"], _store.Committed.Select(c => c.Record.Key));
        Assert.Equal(["88.168.1/a", "88.168.1/c"], _published.Keys);
        Assert.Equal([("enterprise:acme", "upsert", "88.168.1/B", "INVALID_ARGUMENT")], await RefusalsAsync());
    }

    [Fact]
    public async Task Create_ValidatorRefuses_ThrowsItsProblemChangesNothingAndAuditsTheRefusal()
    {
        var writer = Writer(new RefusingValidator(_ => TemplateRefusal));

        var refused = await Assert.ThrowsAsync<ResolverException>(() => writer.CreateAsync(_caller, "88.168.1/X", [Url("https://x")], reuseDeleted: false, Ct).AsTask());

        Assert.Equal(TemplateRefusal, refused.Problem);
        Assert.Null(await _store.GetAsync("88.168.1/x", Ct));
        Assert.Empty(_published.Keys);
        // As a refusal by the registry's own rules is logged: who, the operation asked for, the identifier as given, the status.
        Assert.Equal([("enterprise:acme", "create", "88.168.1/X", "INVALID_ARGUMENT")], await RefusalsAsync());
    }

    [Fact]
    public async Task Update_Validator_SeesTheRecordAsItWouldBeWrittenAndTheCaller()
    {
        var validator = new RefusingValidator(_ => null);
        var writer = Writer(validator);
        await writer.CreateAsync(_caller, "88.168.1/X", [Url("https://x")], reuseDeleted: false, Ct);
        _time.Advance(TimeSpan.FromMinutes(1));

        var updated = await writer.UpdateAsync(_caller, "88.168.1/X", [new ValueDraft(0, "EMAIL", ValueData.FromText("ops@example.com"))], [], expectedVersion: 1, Ct);

        var (caller, shown) = validator.Shown[^1];
        Assert.Equal(_caller, caller);
        Assert.Equal(updated, Assert.Single(shown));
        var before = Assert.Single(validator.Changes[^1]).Before; // the record the update replaces, for rules about change
        Assert.Equal((1L, "URL"), (before!.Version, string.Join(' ', before.Values.Select(v => v.Type))));
        Assert.Equal((2L, "URL EMAIL"), (updated.Version, string.Join(' ', updated.Values.Select(v => v.Type))));
    }

    [Fact]
    public async Task Delete_IsShownAsItsTombstoneBesideTheRecordItEnds_AndMayBeRefused()
    {
        var validator = new RefusingValidator(_ => null);
        var writer = Writer(validator);
        await writer.CreateAsync(_caller, "88.168.1/X", [Url("https://x")], reuseDeleted: false, Ct);
        validator.Refuse = record => record.IsDeleted ? TemplateRefusal : null;

        var refused = await Assert.ThrowsAsync<ResolverException>(() => writer.DeleteAsync(_caller, "88.168.1/X", expectedVersion: null, Ct).AsTask());

        Assert.Equal(TemplateRefusal, refused.Problem);
        var (before, after) = Assert.Single(validator.Changes[^1]);
        Assert.Equal((false, true, 0), (before!.IsDeleted, after.IsDeleted, after.Values.Count));
        Assert.False((await _store.GetAsync("88.168.1/x", Ct))!.IsDeleted);
    }

    [Fact]
    public async Task UpsertMany_Unchanged_IsNotShownToValidators()
    {
        var validator = new RefusingValidator(_ => null);
        var writer = Writer(validator);
        await writer.UpsertManyAsync(_caller, [Item("88.168.1/A")], Ct);
        validator.Refuse = _ => TemplateRefusal;

        var again = await writer.UpsertManyAsync(_caller, [Item("88.168.1/A")], Ct);

        Assert.Equal((WriteOutcome.Unchanged, 1L), (again[0].Outcome, again[0].Version));
        Assert.Single(validator.Shown);
    }

    [Fact]
    public async Task UpsertMany_RefusedBeforeValidation_IsNotShownToValidators()
    {
        var validator = new RefusingValidator(_ => null);
        var writer = Writer(validator);

        var results = await writer.UpsertManyAsync(_caller, [Item("88.168.1/A"), Item("88.169/B"), Item("")], Ct);

        Assert.Equal([WriteOutcome.Created, WriteOutcome.Failed, WriteOutcome.Failed], results.Select(r => r.Outcome));
        Assert.Equal(["88.168.1/A"], validator.Shown.SelectMany(s => s.Records).Select(r => r.Identifier));
    }

    [Fact]
    public async Task Write_ValidatorsInTurn_ARecordRefusedByTheFirstIsNotShownToTheSecond()
    {
        var first = new RefusingValidator(record => record.Identifier == "88.168.1/A" ? TemplateRefusal : null);
        var second = new RefusingValidator(_ => null);
        var writer = Writer(first, second);

        var results = await writer.UpsertManyAsync(_caller, [Item("88.168.1/A"), Item("88.168.1/B")], Ct);

        Assert.Equal([WriteOutcome.Failed, WriteOutcome.Created], results.Select(r => r.Outcome));
        Assert.Equal(["88.168.1/B"], second.Shown.SelectMany(s => s.Records).Select(r => r.Identifier));
    }

    [Fact]
    public async Task Write_ValidatorUnavailable_FailsTheWholeCallWritingAndAuditingNothing()
    {
        var outage = new Problem(ErrorKind.Unavailable, Reasons.StoreUnavailable, "the template store is unavailable; retry later");
        var writer = Writer(new RefusingValidator(_ => throw new ResolverException(outage)));

        var failed = await Assert.ThrowsAsync<ResolverException>(() => writer.UpsertManyAsync(_caller, [Item("88.168.1/A"), Item("88.168.1/B")], Ct).AsTask());

        Assert.Equal(outage, failed.Problem);
        Assert.Empty(_store.Committed);
        Assert.Empty(await RefusalsAsync());
    }

    [Fact]
    public async Task Write_ValidatorAnswersTheWrongNumberOfTimes_FailsTheCallAsABug()
    {
        var writer = Writer(new MiscountingValidator());

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.UpsertManyAsync(_caller, [Item("88.168.1/A"), Item("88.168.1/B")], Ct).AsTask());

        Assert.Empty(_store.Committed);
    }

    [Fact]
    public async Task UpsertMany_SameIdentifierTwiceInOneBatch_FailsTheSecondOnly()
    {
        var writer = Writer();

        // Bounded in real time: were the second taken for a lost race, the writer would wait on the fake clock forever.
        var results = await writer.UpsertManyAsync(_caller, [Item("88.168.1/A"), Item("88.168.1/a")], Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal([WriteOutcome.Created, WriteOutcome.Failed], results.Select(r => r.Outcome));
        Assert.Equal((ErrorKind.InvalidArgument, Reasons.InvalidValue), (results[1].Problem!.Kind, results[1].Problem!.Reason));
        Assert.Single(_store.Committed);
    }

    [Fact]
    public async Task UpsertMany_ValueDefaults_AskedOnceForTheBatch_GiveTheValuesWithoutPermissionsTheirTypesDefault()
    {
        const ValuePermissions Private = ValuePermissions.AdminRead | ValuePermissions.AdminWrite;
        var defaults = new FixedDefaults(type => type == "weight" ? Private : null);
        var writer = Writer([], defaults);
        UpsertItem Part(string identifier) => new(identifier, [new ValueDraft(1, "weight", ValueData.FromText("3")), new ValueDraft(2, "URL", ValueData.FromText("https://d")),
            new ValueDraft(3, "weight", ValueData.FromText("4"), Permissions: ValuePermissions.Default)]);

        var written = await writer.UpsertManyAsync(_caller, [Part("88.168.1/D"), Part("88.168.1/E")], Ct);

        Assert.All(written, w => Assert.Equal([Private, ValuePermissions.Default, ValuePermissions.Default], w.Record!.Values.Select(v => v.Permissions)));
        Assert.Equal(1, defaults.Asked);
    }

    private sealed class FixedDefaults(Func<string, ValuePermissions?> byType) : IValueDefaults
    {
        public int Asked { get; private set; }

        public ValueTask<IReadOnlyList<Func<string, ValuePermissions?>?>> ForAsync(Caller caller, IReadOnlyList<DraftedRecord> records, CancellationToken cancellationToken)
        {
            Asked++;
            return ValueTask.FromResult<IReadOnlyList<Func<string, ValuePermissions?>?>>([.. records.Select(_ => byType)]);
        }
    }

    private RecordWriter Writer(params IRecordValidator[] validators) => Writer(validators, null);

    private RecordWriter Writer(IRecordValidator[] validators, IValueDefaults? valueDefaults) => new(
        IdentifierParser.Default,
        new PrefixDirectory(_prefixes, _time),
        _store,
        new ValueEditor(ResolverLimits.Default),
        validators,
        _published,
        new AuditTrail(_access, _time),
        _time,
        valueDefaults);

    private static ValueDraft Url(string url) => new(1, "URL", ValueData.FromText(url));

    private static UpsertItem Item(string identifier) => new(identifier, [Url($"https://example.com/{identifier}")]);

    // Committed writes are audited by the store in their own transaction; the access store's log holds the refusals.
    private async Task<List<(string Actor, string Operation, string Target, string Outcome)>> RefusalsAsync() =>
        [.. (await _access.ListAuditAsync(null, 100, Ct)).Reverse().Select(e => (e.Actor, e.Operation, e.Target, e.Outcome))];

    /// <summary>A validator that refuses what <see cref="Refuse"/> says, and remembers what it was shown.</summary>
    private sealed class RefusingValidator(Func<HandleRecord, Problem?> refuse) : IRecordValidator
    {
        public Func<HandleRecord, Problem?> Refuse { get; set; } = refuse;

        public List<(Caller Caller, IReadOnlyList<HandleRecord> Records)> Shown { get; } = [];

        public List<IReadOnlyList<RecordChange>> Changes { get; } = [];

        public ValueTask<IReadOnlyList<Problem?>> ValidateAsync(Caller caller, IReadOnlyList<RecordChange> changes, CancellationToken cancellationToken)
        {
            var records = changes.Select(c => c.After).ToList();
            Changes.Add(changes);
            Shown.Add((caller, records));
            return ValueTask.FromResult<IReadOnlyList<Problem?>>([.. records.Select(Refuse)]);
        }
    }

    private sealed class MiscountingValidator : IRecordValidator
    {
        public ValueTask<IReadOnlyList<Problem?>> ValidateAsync(Caller caller, IReadOnlyList<RecordChange> changes, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<Problem?>>([null]);
    }

    private sealed class CommittedRecords : IChangeNotifier
    {
        public List<string> Keys { get; } = [];

        public ValueTask RecordCommittedAsync(HandleRecord record, CancellationToken cancellationToken)
        {
            Keys.Add(record.Key);
            return ValueTask.CompletedTask;
        }

        public ValueTask PrefixesChangedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask AccessChangedAsync(IReadOnlyList<Core.Security.AccessChange> changes, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
