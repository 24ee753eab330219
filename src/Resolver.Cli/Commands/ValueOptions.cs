using System.CommandLine;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary>The value options register and update share: <c>--value</c>, <c>--private-value</c> and <c>--public-value [INDEX:]TYPE=DATA</c>… and <c>--ttl SECONDS</c>.</summary>
internal sealed class ValueOptions
{
    public Option<string[]> Values { get; } = new("--value", "-v")
    {
        Description = "a value as [INDEX:]TYPE=DATA, e.g. URL=https://example.com/p/1 or 2:EMAIL=ops@example.com (repeatable)",
    };

    public Option<string[]> PrivateValues { get; } = new("--private-value")
    {
        Description = "a value without public_read, as [INDEX:]TYPE=DATA: only the owner, the admin and granted enterprises see it (repeatable)",
    };

    public Option<string[]> PublicValues { get; } = new("--public-value")
    {
        Description = "a value with public_read (Handle's 1110), as [INDEX:]TYPE=DATA, even for a template's private item (repeatable)",
    };

    public Option<int?> Ttl { get; } = new("--ttl")
    {
        Description = "seconds resolvers may cache the given values (default 86400; update keeps a replaced value's TTL)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Values);
        command.Options.Add(PrivateValues);
        command.Options.Add(PublicValues);
        command.Options.Add(Ttl);
    }

    /// <summary>The parsed values, or an error naming the bad one.</summary>
    public (List<Value> Values, string? Error) Parse(ParseResult parse)
    {
        var values = new List<Value>();
        var ttl = parse.GetValue(Ttl);
        if (ttl is < 0)
        {
            return (values, $"--ttl {ttl} is negative; give seconds, 0 or more");
        }

        // Permissions: none given for --value (the node's default: 1110, or 1100 for a template's private item), 1100 for
        // --private-value, 1110 for --public-value.
        var specs = (parse.GetValue(Values) ?? []).Select(spec => (Spec: spec, Permissions: (Permissions?)null))
            .Concat((parse.GetValue(PrivateValues) ?? []).Select(spec => (Spec: spec, Permissions: (Permissions?)new Permissions { AdminRead = true, AdminWrite = true })))
            .Concat((parse.GetValue(PublicValues) ?? []).Select(spec => (Spec: spec, Permissions: (Permissions?)new Permissions { AdminRead = true, AdminWrite = true, PublicRead = true })));
        foreach (var (spec, permissions) in specs)
        {
            if (!ValueSpec.TryParse(spec, out var value, out var error))
            {
                return (values, error);
            }

            if (ttl is { } seconds)
            {
                value.Ttl = seconds;
            }

            value.Permissions = permissions;

            values.Add(value);
        }

        return (values, null);
    }
}
