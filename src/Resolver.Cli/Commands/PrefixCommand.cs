using System.CommandLine;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary><c>resolver prefix home PREFIX</c>, <c>prefix delegate PREFIX --site URL… [--ttl S]</c>, <c>prefix undelegate PREFIX</c> and <c>prefix list</c>.</summary>
internal static class PrefixCommand
{
    public static Command Create(CommandRunner runner)
    {
        var prefix = new Argument<string>("PREFIX") { Description = "e.g. 88.168.1" };
        var home = new Command("home", "make this node authoritative for PREFIX and its sub-prefixes (idempotent)") { prefix };
        runner.SetAction(home, async (context, parse, cancellationToken) =>
        {
            var response = await context.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = parse.GetValue(prefix)! }, context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                context.Printer.JsonLine(response);
            }
            else
            {
                context.Printer.Line(response.Created ? $"homed {response.Prefix.Prefix}" : $"{response.Prefix.Prefix} was already homed here");
            }

            return ExitCodes.Ok;
        });

        var delegatedPrefix = new Argument<string>("PREFIX") { Description = "e.g. 88.168.2" };
        var sites = new Option<string[]>("--site")
        {
            Description = "a gRPC endpoint of the node serving PREFIX, e.g. https://node.example:5443 (repeatable, 1 to 16)",
            Required = true,
        };
        var ttl = new Option<int?>("--ttl") { Description = "seconds a referral to the site may be cached, 1 to 604800 (default 3600)" };
        var delegateCommand = new Command("delegate", "delegate PREFIX to another node's site (admin); again replaces its sites and TTL") { delegatedPrefix, sites, ttl };
        runner.SetAction(delegateCommand, async (context, parse, cancellationToken) =>
        {
            // 0 on the wire means the default: a user who wrote --ttl 0 meant something else.
            if (parse.GetValue(ttl) is < 1 and var seconds)
            {
                return context.InvalidInput($"--ttl {seconds} is out of range: give 1 to 604800 seconds (default 3600)");
            }

            var request = new DelegatePrefixRequest { Prefix = parse.GetValue(delegatedPrefix)!, Ttl = parse.GetValue(ttl) ?? 0 };
            request.Sites.AddRange(parse.GetValue(sites) ?? []);
            var response = await context.Admin.DelegatePrefixAsync(request, context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                context.Printer.JsonLine(response);
            }
            else
            {
                var entry = response.Prefix;
                context.Printer.Line($"{(response.Created ? "delegated" : "re-delegated")} {entry.Prefix} to {string.Join(", ", entry.Endpoints)} (referrals cached {entry.Ttl} s)");
            }

            return ExitCodes.Ok;
        });

        var undelegatedPrefix = new Argument<string>("PREFIX") { Description = "a delegated prefix, e.g. 88.168.2" };
        var undelegateCommand = new Command("undelegate", "remove the delegation of PREFIX (admin); nothing to remove is not an error") { undelegatedPrefix };
        runner.SetAction(undelegateCommand, async (context, parse, cancellationToken) =>
        {
            var response = await context.Admin.UndelegatePrefixAsync(new UndelegatePrefixRequest { Prefix = parse.GetValue(undelegatedPrefix)! }, context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                context.Printer.JsonLine(response);
            }
            else
            {
                context.Printer.Line(response.Removed ? $"removed the delegation of {parse.GetValue(undelegatedPrefix)}" : $"{parse.GetValue(undelegatedPrefix)} was not delegated");
            }

            return ExitCodes.Ok;
        });

        var list = new Command("list", "list the prefixes this node homes or delegates");
        runner.SetAction(list, async (context, _, cancellationToken) =>
        {
            var response = await context.Admin.ListPrefixesAsync(new ListPrefixesRequest(), context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                foreach (var entry in response.Prefixes)
                {
                    context.Printer.JsonLine(entry);
                }
            }
            else
            {
                context.Printer.Table(["Prefix", "Kind", "Owner", "Sites", "TTL", "Since"], response.Prefixes.Select(p => (IReadOnlyList<string>)
                [
                    p.Prefix,
                    p.Kind == PrefixKind.Homed ? "homed" : "delegated",
                    p.Owner,
                    string.Join(", ", p.Endpoints),
                    p.Kind == PrefixKind.Delegated ? Output.Printer.Number(p.Ttl) : "",
                    Output.Printer.Time(p.CreatedAt),
                ]));
            }

            return ExitCodes.Ok;
        });

        return new Command("prefix", "home, delegate and list prefixes") { home, delegateCommand, undelegateCommand, list };
    }
}
