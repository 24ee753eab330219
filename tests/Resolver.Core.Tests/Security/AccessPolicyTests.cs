using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Security;

namespace Resolver.Core.Tests.Security;

/// <summary>The access policy alone: who sees which values, and who passes which check.</summary>
public sealed class AccessPolicyTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    // acme owns 88.168.1; 88.170 is homed without an owner.
    private static readonly PrefixTable Table = new([
        new PrefixEntry("88.168.1", PrefixKind.Homed, [], At, "acme"),
        new PrefixEntry("88.169.1", PrefixKind.Homed, [], At, "globex"),
        new PrefixEntry("88.170", PrefixKind.Homed, [], At),
    ]);

    private static readonly Caller Acme = Caller.ForEnterprise("acme");
    private static readonly Caller Partner = Caller.ForEnterprise("partner");

    [Theory]
    [InlineData("anonymous", "URL")]
    [InlineData("admin", "URL batch serial URL.pdf")]
    [InlineData("acme", "URL batch serial URL.pdf")]
    [InlineData("partner", "URL")]
    public void Visible_WithoutGrants_ShowsPrivateValuesToTheOwnerAndAdminOnly(string caller, string expected) =>
        Assert.Equal(expected, Types(AccessPolicy.Visible(CallerNamed(caller), Record("88.168.1/A"), Record("88.168.1/A").Values, Table, Access())));

    [Fact]
    public void Visible_GrantOfAllTypes_ShowsEveryValue() =>
        Assert.Equal("URL batch serial URL.pdf", VisibleToPartner("88.168.1/A", Grant("acme", "88.168.1")));

    [Fact]
    public void Visible_GrantNarrowedToAType_ShowsThatTypeAndPublicValuesOnly() =>
        Assert.Equal("URL batch", VisibleToPartner("88.168.1/A", Grant("acme", "88.168.1", "batch")));

    [Fact]
    public void Visible_GrantNarrowedToSubtypes_ShowsTheTypeAndItsSubtypes() =>
        Assert.Equal("URL URL.pdf", VisibleToPartner("88.168.1/A", Grant("acme", "88.168.1", "url.")));

    [Fact]
    public void Visible_GrantOfAnAncestorPrefix_CoversRecordsUnderASubPrefix() =>
        Assert.Equal("URL batch serial URL.pdf", VisibleToPartner("88.168.1.5/A", Grant("acme", "88.168.1")));

    [Fact]
    public void Visible_GrantOfASubPrefix_DoesNotCoverThePrefixAbove() =>
        Assert.Equal("URL", VisibleToPartner("88.168.1/A", Grant("acme", "88.168.1.5")));

    [Fact]
    public void Visible_GrantFromAnotherOwner_DoesNotCoverTheRecord() =>
        Assert.Equal("URL", VisibleToPartner("88.168.1/A", Grant("globex", "88.168.1")));

    [Fact]
    public void Visible_GrantToAnotherEnterprise_DoesNotCoverTheCaller() =>
        Assert.Equal("URL", Types(AccessPolicy.Visible(Partner, Record("88.168.1/A"), Record("88.168.1/A").Values, Table, Access(Grant("acme", "88.168.1") with { Grantee = "someone" }))));

    [Fact]
    public void Visible_RecordUnderAPrefixNobodyOwns_ShowsPublicValuesToEnterprises() =>
        Assert.Equal("URL", Types(AccessPolicy.Visible(Acme, Record("88.170/A"), Record("88.170/A").Values, Table, Access())));

    [Fact]
    public void Visible_AllValuesPublic_ShowsThemToAnyone()
    {
        var record = Record("88.168.1/A") with { Values = [Value(1, "URL", public_: true), Value(2, "EMAIL", public_: true)] };

        Assert.Equal("URL EMAIL", Types(AccessPolicy.Visible(Caller.Anonymous, record, record.Values, Table, Access())));
    }

    [Theory]
    [InlineData("admin", null)]
    [InlineData("acme", null)]
    [InlineData("partner", ErrorKind.PermissionDenied)]
    [InlineData("anonymous", ErrorKind.Unauthenticated)]
    public void RequireSelfOrAdmin_ForAcme_AdmitsAcmeAndTheAdminOnly(string caller, ErrorKind? expected) =>
        Assert.Equal(expected, Refusal(() => AccessPolicy.RequireSelfOrAdmin(CallerNamed(caller), "acme", "issuing an API key")));

    [Theory]
    [InlineData("admin", null)]
    [InlineData("acme", ErrorKind.PermissionDenied)]
    [InlineData("anonymous", ErrorKind.Unauthenticated)]
    public void RequireAdmin_ByCaller_AdmitsTheAdminOnly(string caller, ErrorKind? expected) =>
        Assert.Equal(expected, Refusal(() => AccessPolicy.RequireAdmin(CallerNamed(caller), "listing enterprises")));

    [Theory]
    [InlineData("admin", "88.168.1", null)]
    [InlineData("admin", "88.170", null)]
    [InlineData("acme", "88.168.1", null)]
    [InlineData("acme", "88.168.1.5", null)] // an owner writes under its sub-prefixes
    [InlineData("acme", "88.169.1", ErrorKind.PermissionDenied)]
    [InlineData("acme", "88.170", ErrorKind.PermissionDenied)] // nobody owns it: the admin assigns prefixes
    [InlineData("partner", "88.168.1", ErrorKind.PermissionDenied)]
    [InlineData("anonymous", "88.168.1", ErrorKind.Unauthenticated)]
    public void RequireWrite_ByCaller_AdmitsTheOwnerAndTheAdmin(string caller, string prefix, ErrorKind? expected) =>
        Assert.Equal(expected, Refusal(() => AccessPolicy.RequireWrite(CallerNamed(caller), prefix, Table)));

    [Theory]
    [InlineData("88.169.1", "it belongs to enterprise")]
    [InlineData("88.170", "no enterprise owns that prefix")]
    public void RequireWrite_Refused_SaysWhoOwnsThePrefixOrThatNobodyDoes(string prefix, string expected) =>
        Assert.Contains(expected, Assert.Throws<ResolverException>(() => AccessPolicy.RequireWrite(CallerNamed("acme"), prefix, Table)).Problem.Message, StringComparison.Ordinal);

    private static string VisibleToPartner(string key, ReadGrant grant)
    {
        var record = Record(key);
        return Types(AccessPolicy.Visible(Partner, record, record.Values, Table, Access(grant)));
    }

    private static Caller CallerNamed(string name) => name switch
    {
        "anonymous" => Caller.Anonymous,
        "admin" => Caller.Admin,
        _ => Caller.ForEnterprise(name),
    };

    private static ErrorKind? Refusal(Action check)
    {
        try
        {
            check();
            return null;
        }
        catch (ResolverException refused)
        {
            return refused.Problem.Kind;
        }
    }

    /// <summary>A record with a public URL, private batch and serial, and a private URL.pdf.</summary>
    private static HandleRecord Record(string key) => new(key, key, 1,
        [Value(1, "URL", public_: true), Value(2, "batch", public_: false), Value(3, "serial", public_: false), Value(4, "URL.pdf", public_: false)], At, At);

    private static HandleValue Value(int index, string type, bool public_) =>
        new(index, type, ValueData.FromText("x"), HandleValue.DefaultTtl, At, public_ ? ValuePermissions.Default : ValuePermissions.AdminRead | ValuePermissions.AdminWrite, []);

    private static ReadGrant Grant(string owner, string prefix, params string[] types) => new(owner, "partner", prefix, types, At);

    private static AccessSnapshot Access(params ReadGrant[] grants) => new([], [], grants);

    private static string Types(IReadOnlyList<HandleValue> values) => string.Join(' ', values.Select(v => v.Type));
}
