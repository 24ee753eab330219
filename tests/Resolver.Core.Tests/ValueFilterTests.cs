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

    [Fact]
    public void Apply_ManyFilters_KeepsExactlyWhatMatchingEachValueAgainstEachFilterKeeps()
    {
        // Set lookups past LinearScanLimit must answer as the filter-by-filter comparison (Matches) does: exact types,
        // ASCII case only, '.' subtypes at any depth, indexes; the random cases cover both sides of the limit.
        string[] types = ["URL", "url", "URL.pdf", "url.PDF.v2", "URL.", "URLX", "EMAIL", "email.work", "É", "é", "HS_SITE", ".x", "a.b.c", "A.B", "a..b", "x.", "K", "\u212A"];
        string[] patterns = ["URL", "url.", "URL.PDF.", "EMAIL.", "email", "é", "É.", "a.", "A.B.", "a..", "K", "k.", "none", "X.", "HS_SITE", "a.b.c", "URL.pdf", "."];
        var random = new Random(25);
        IReadOnlyList<HandleValue> values = [.. types.Select((type, i) => Value(i + 1, type))];
        for (var round = 0; round < 500; round++)
        {
            var filter = new ValueFilter(
                [.. Enumerable.Range(0, random.Next(0, 16)).Select(_ => patterns[random.Next(patterns.Length)])],
                [.. Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(1, types.Length + 3))]);

            var kept = filter.Apply(values);

            Assert.Equal(filter.KeepsAll ? values : values.Where(filter.Matches).ToList(), kept);
        }
    }

    [Fact]
    public void Apply_ManyFilters_FollowsSubtypeAndAsciiCaseRules()
    {
        IReadOnlyList<HandleValue> values = [Value(1, "URL"), Value(2, "URL.pdf"), Value(3, "url.PDF.v2"), Value(4, "URLX"), Value(5, "é"), Value(6, "EMAIL"), Value(7, "batch")];
        string[] padding = ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"];

        var kept = new ValueFilter(["url.", "É", .. padding], [7]).Apply(values);

        Assert.Equal([1, 2, 3, 7], kept.Select(v => v.Index));
    }
}
