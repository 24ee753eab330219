using Resolver.Core.Records;

namespace Resolver.Core.Tests;

public sealed class ValueFilterTests
{
    private static HandleValue Value(int index, string type) =>
        new(index, type, ValueData.FromText("x"), HandleValue.DefaultTtl, DateTimeOffset.UnixEpoch, ValuePermissions.Default, []);

    [Theory]
    [InlineData("URL", "URL", true)]
    [InlineData("url", "URL", true)]
    [InlineData("URL", "URL.pdf", false)]
    [InlineData("URL.", "URL", true)]
    [InlineData("URL.", "URL.pdf", true)]
    [InlineData("url.", "URL.PDF", true)]
    [InlineData("URL.", "URLX", false)]
    [InlineData("URL.pdf", "URL", false)]
    [InlineData("É", "é", false)]
    public void Matches_Type_FollowsSubtypeAndAsciiCaseRules(string pattern, string type, bool expected) =>
        Assert.Equal(expected, new ValueFilter([pattern], []).Matches(Value(1, type)));

    [Fact]
    public void Apply_TypesOrIndexes_KeepsValuesMatchingEither()
    {
        IReadOnlyList<HandleValue> values = [Value(1, "URL"), Value(2, "EMAIL"), Value(3, "URL.pdf"), Value(4, "batch")];

        var kept = new ValueFilter(["URL"], [4]).Apply(values);

        Assert.Equal([1, 4], kept.Select(v => v.Index));
    }

    [Fact]
    public void Apply_EmptyFilter_KeepsEverythingInOrder()
    {
        IReadOnlyList<HandleValue> values = [Value(1, "URL"), Value(2, "EMAIL")];
        Assert.Same(values, ValueFilter.All.Apply(values));
    }
}
