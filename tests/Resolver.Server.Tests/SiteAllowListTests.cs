using Resolver.Server.Federation;

namespace Resolver.Server.Tests;

/// <summary><c>--site-allow</c> and its default (docs/federation.md): which endpoints a referral may send a node to.</summary>
public sealed class SiteAllowListTests
{
    private static readonly string[] PublicSites = ["https://secondary.example:5443", "https://10.1.2.3:5443"];

    [Theory]
    [InlineData("https://secondary.example:9999", true)]    // a configured host, another port
    [InlineData("https://10.1.2.3:7000", true)]
    [InlineData("https://other.example:5443", false)]
    [InlineData("http://127.0.0.1:6379", false)]            // loopback only when a configured site is loopback
    [InlineData("http://localhost:6379", false)]
    [InlineData("http://[::1]:6379", false)]
    public void Default_AllowsTheHostsOfConfiguredSitesOnly(string endpoint, bool allowed) =>
        Assert.Equal(allowed, SiteAllowList.Parse("").Allows(endpoint, PublicSites));

    [Fact]
    public void Default_WithALoopbackSiteConfigured_AllowsLoopback()
    {
        var list = SiteAllowList.Parse("");

        Assert.True(list.Allows("http://127.0.0.2:6000", ["http://127.0.0.1:5280"]));
        Assert.True(list.Allows("http://[::1]:6000", ["http://localhost:5280"]));
        Assert.False(list.Allows("http://10.0.0.1:6000", ["http://127.0.0.1:5280"]));
    }

    [Theory]
    [InlineData("https://10.20.30.40:5443", true)]
    [InlineData("https://10.21.0.1:5443", false)]
    [InlineData("https://node.idx.example:5443", true)]
    [InlineData("https://deep.node.idx.example:5443", true)]
    [InlineData("https://idx.example:5443", false)]          // *.idx.example is what lies below it
    [InlineData("https://evilidx.example:5443", false)]
    [InlineData("https://top.example:5443", true)]
    [InlineData("https://secondary.example:5443", false)]   // a configured host is no longer implied once the list is given
    [InlineData("http://[fd00::7]:5280", true)]
    [InlineData("http://127.0.0.1:5280", false)]
    public void Configured_MatchesCidrsNamesAndPatterns(string endpoint, bool allowed) =>
        Assert.Equal(allowed, SiteAllowList.Parse("10.20.0.0/16, *.idx.example top.example,fd00::/8").Allows(endpoint, PublicSites));

    [Fact]
    public void Star_AllowsAnySite() => Assert.True(SiteAllowList.Parse("*").Allows("http://203.0.113.9:1", []));

    [Fact]
    public void Cidr_NeverMatchesAHostName_ForNamesAreNotResolved() =>
        Assert.False(SiteAllowList.Parse("0.0.0.0/0").Allows("https://anything.example:5443", []));

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("not a host!")]
    [InlineData("*.")]
    [InlineData("http://node.example:5443")]
    public void Parse_ABadEntry_IsAFormatErrorNamingIt(string entry)
    {
        var error = Assert.Throws<FormatException>(() => SiteAllowList.Parse(entry));
        Assert.Contains(entry.Split(' ')[0], error.Message, StringComparison.Ordinal);
    }
}
