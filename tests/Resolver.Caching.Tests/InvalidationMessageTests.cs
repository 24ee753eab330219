using Resolver.Core.Security;

namespace Resolver.Caching.Tests;

/// <summary>Access announcements name what changed, so replicas re-read those rows only; what they cannot read means "reload all".</summary>
public sealed class InvalidationMessageTests
{
    [Fact]
    public void AccessMessage_NamingChanges_RoundTrips()
    {
        AccessChange[] changes = [AccessChange.Enterprise("acme"), AccessChange.Key("Ab-_9xYz0123"), AccessChange.GrantsTo("globex.cn")];

        Assert.True(InvalidationMessage.TryParseAccess(InvalidationMessage.ForAccess(changes), out var parsed));

        Assert.Equal(changes, parsed);
    }

    [Theory]
    [InlineData("a")] // an older replica: everything may have changed
    [InlineData("a x:what")] // a newer replica's change this one cannot read
    public void AccessMessage_NotUnderstood_MeansReloadEverything(string message)
    {
        Assert.True(InvalidationMessage.TryParseAccess(message, out var parsed));

        Assert.Null(parsed);
    }

    [Theory]
    [InlineData("p")]
    [InlineData("r 7 88.1/x")]
    [InlineData("ab")]
    public void OtherMessages_AreNotAccessMessages(string message) =>
        Assert.False(InvalidationMessage.TryParseAccess(message, out _));
}
