using Resolver.Core.Errors;
using Resolver.Core.Records;
using Resolver.Core.Registry;

namespace Resolver.Core.Tests;

public sealed class ValueEditorTests
{
    private static readonly DateTimeOffset Then = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Then.AddDays(1);
    private readonly ValueEditor _editor = new(ResolverLimits.Default);

    private static ValueDraft Draft(int index, string type, string data, int? ttl = null) => new(index, type, ValueData.FromText(data), ttl);

    [Fact]
    public void Create_OmittedIndexes_TakeTheLowestFreeOnes()
    {
        var values = _editor.Create([Draft(0, "URL", "a"), Draft(2, "EMAIL", "b"), Draft(0, "URL", "c")], Now);

        Assert.Equal([(1, "a"), (2, "b"), (3, "c")], values.Select(v => (v.Index, v.Data.Text!)));
        Assert.All(values, v => Assert.Equal(HandleValue.DefaultTtl, v.Ttl));
        Assert.All(values, v => Assert.Equal(ValuePermissions.Default, v.Permissions));
    }

    [Fact]
    public void Update_PermissionsOfAValue_AreTheDraftsElseTheReplacedValuesElseItsTypesDefaultElseHandles()
    {
        const ValuePermissions Private = ValuePermissions.AdminRead | ValuePermissions.AdminWrite;
        const ValuePermissions OwnerOnly = ValuePermissions.AdminRead;
        var current = _editor.Create([Draft(1, "weight", "1") with { Permissions = OwnerOnly }, Draft(5, "NOTE", "n")], Then);
        Func<string, ValuePermissions?> defaults = type => type == "weight" ? Private : null;

        var updated = _editor.Update(
            current,
            [Draft(1, "WEIGHT", "2"), Draft(2, "weight", "3"), Draft(3, "weight", "4") with { Permissions = ValuePermissions.Default }, Draft(4, "URL", "u"), Draft(5, "weight", "5")],
            [],
            Now,
            defaults);

        // Index 1 replaces a weight (its type, in other case): its permissions stay. Index 5 replaces a NOTE: a value of
        // another type is a new value, and takes its type's default.
        Assert.Equal([OwnerOnly, Private, ValuePermissions.Default, ValuePermissions.Default, Private], updated.Select(v => v.Permissions));
    }

    [Fact]
    public void Update_ValueWithoutIndex_ReplacesLowestIndexOfItsTypeKeepingTtl()
    {
        var current = _editor.Create([Draft(3, "URL", "old3", ttl: 60), Draft(5, "URL", "old5"), Draft(1, "EMAIL", "e")], Then);

        var updated = _editor.Update(current, [Draft(0, "url", "new")], [], Now);

        var replaced = Assert.Single(updated, v => v.Index == 3);
        Assert.Equal("new", replaced.Data.Text);
        Assert.Equal(60, replaced.Ttl);
        Assert.Equal(Now, replaced.Timestamp);
        Assert.Equal(Then, updated.Single(v => v.Index == 1).Timestamp);
        Assert.Equal("old5", updated.Single(v => v.Index == 5).Data.Text);
    }

    [Fact]
    public void Update_ValueWithoutIndexAndNoSuchType_IsAddedAtLowestFreeIndex()
    {
        var current = _editor.Create([Draft(1, "URL", "u"), Draft(3, "EMAIL", "e")], Then);

        var updated = _editor.Update(current, [Draft(0, "batch", "B1")], [], Now);

        Assert.Equal("batch", updated.Single(v => v.Index == 2).Type);
    }

    [Fact]
    public void Update_GivenTtl_OverridesTheReplacedValuesTtl()
    {
        var current = _editor.Create([Draft(1, "URL", "u", ttl: 60)], Then);
        var updated = _editor.Update(current, [Draft(0, "URL", "v", ttl: 10)], [], Now);
        Assert.Equal(10, Assert.Single(updated).Ttl);
    }

    [Fact]
    public void Update_RemoveMissingIndex_IsNotFound()
    {
        var current = _editor.Create([Draft(1, "URL", "u")], Then);
        var exception = Assert.Throws<ResolverException>(() => _editor.Update(current, [], [7], Now));
        Assert.Equal(ErrorKind.NotFound, exception.Problem.Kind);
        Assert.Equal(Reasons.ValueNotFound, exception.Problem.Reason);
    }

    [Fact]
    public void Update_RemoveThenAdd_ReusesTheFreedIndex()
    {
        var current = _editor.Create([Draft(1, "URL", "u"), Draft(2, "EMAIL", "e")], Then);
        var updated = _editor.Update(current, [Draft(0, "batch", "b")], [1], Now);
        Assert.Equal([(1, "batch"), (2, "EMAIL")], updated.Select(v => (v.Index, v.Type)));
    }

    [Theory]
    [InlineData("HS_ADMIN", "reserved-type")]
    [InlineData("hs_site", "reserved-type")]
    [InlineData("", Reasons.InvalidValue)]
    [InlineData("has space", Reasons.InvalidValue)]
    public void Create_BadType_IsInvalidArgument(string type, string reason)
    {
        var exception = Assert.Throws<ResolverException>(() => _editor.Create([Draft(0, type, "x")], Now));
        Assert.Equal(ErrorKind.InvalidArgument, exception.Problem.Kind);
        Assert.Equal(reason, exception.Problem.Reason);
    }

    [Fact]
    public void Create_DuplicateIndex_IsInvalidArgument()
    {
        var exception = Assert.Throws<ResolverException>(() => _editor.Create([Draft(2, "URL", "a"), Draft(2, "EMAIL", "b")], Now));
        Assert.Equal(ErrorKind.InvalidArgument, exception.Problem.Kind);
    }

    [Fact]
    public void Create_OverLimits_IsInvalidArgumentNamingTheLimit()
    {
        var editor = new ValueEditor(ResolverLimits.Default with { MaxValuesPerRecord = 2, MaxValueBytes = 4 });

        var tooMany = Assert.Throws<ResolverException>(() => editor.Create([Draft(0, "a", "1"), Draft(0, "b", "2"), Draft(0, "c", "3")], Now));
        Assert.Equal(Reasons.TooManyValues, tooMany.Problem.Reason);
        Assert.Contains("2", tooMany.Problem.Message, StringComparison.Ordinal);

        var tooLarge = Assert.Throws<ResolverException>(() => editor.Create([Draft(0, "a", "12345")], Now));
        Assert.Equal(Reasons.ValueTooLarge, tooLarge.Problem.Reason);
    }

    [Fact]
    public void Create_TextWithLoneSurrogate_IsInvalidArgument()
    {
        var exception = Assert.Throws<ResolverException>(() => _editor.Create([Draft(0, "URL", "a" + (char)0xD800)], Now));
        Assert.Equal(ErrorKind.InvalidArgument, exception.Problem.Kind);
    }
}
