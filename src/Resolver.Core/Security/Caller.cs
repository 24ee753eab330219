namespace Resolver.Core.Security;

/// <summary>Who makes a call: nobody in particular, the node's administrator, or an enterprise.</summary>
public sealed record Caller
{
    private Caller(CallerKind kind, string? enterprise)
    {
        Kind = kind;
        Enterprise = enterprise;
    }

    public CallerKind Kind { get; }

    /// <summary>The enterprise's (canonical) name when <see cref="Kind"/> is <see cref="CallerKind.Enterprise"/>.</summary>
    public string? Enterprise { get; }

    public static Caller Anonymous { get; } = new(CallerKind.Anonymous, null);

    public static Caller Admin { get; } = new(CallerKind.Admin, null);

    public static Caller ForEnterprise(string name) => new(CallerKind.Enterprise, name);

    public bool IsAdmin => Kind == CallerKind.Admin;

    /// <summary>How the caller appears in the audit log: "anonymous", "admin" or "enterprise:NAME".</summary>
    public override string ToString() => Kind switch
    {
        CallerKind.Admin => "admin",
        CallerKind.Enterprise => $"enterprise:{Enterprise}",
        _ => "anonymous",
    };
}

/// <summary>The kinds of caller.</summary>
public enum CallerKind
{
    Anonymous,
    Admin,
    Enterprise,
}
