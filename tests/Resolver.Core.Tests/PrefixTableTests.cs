using Resolver.Core.Prefixes;

namespace Resolver.Core.Tests;

public sealed class PrefixTableTests
{
    private static PrefixEntry Homed(string prefix) => new(prefix, PrefixKind.Homed, [], DateTimeOffset.UnixEpoch);

    [Fact]
    public void SelfAndAncestors_WalksUpTheHierarchy() =>
        Assert.Equal(["88.168.1", "88.168", "88"], PrefixPath.SelfAndAncestors("88.168.1"));

    [Theory]
    [InlineData("88.168.1", "88.168.1")]
    [InlineData("88.168.1.7", "88.168.1")]
    [InlineData("88.168.2", "88.168")]
    [InlineData("88.168", "88.168")]
    [InlineData("88.16", null)]
    [InlineData("88.1681", null)]
    [InlineData("89", null)]
    public void FindAuthority_LongestMatchWins(string prefix, string? expected)
    {
        var table = new PrefixTable([Homed("88.168"), Homed("88.168.1")]);
        Assert.Equal(expected, table.FindAuthority(prefix)?.Prefix);
    }

    [Theory]
    [InlineData("88.168.1", "88.168", true)]
    [InlineData("88.168", "88.168", true)]
    [InlineData("88.1681", "88.168", false)]
    [InlineData("88", "88.168", false)]
    public void IsSelfOrDescendant_RespectsSegmentBoundaries(string prefix, string ancestor, bool expected) =>
        Assert.Equal(expected, PrefixPath.IsSelfOrDescendant(prefix, ancestor));
}
