using System.CommandLine;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary><c>resolver prefix home PREFIX</c> and <c>resolver prefix list</c>.</summary>
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

        var list = new Command("list", "list the prefixes this node knows");
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
                context.Printer.Table(["Prefix", "Kind", "Owner", "Endpoints", "Since"], response.Prefixes.Select(p => (IReadOnlyList<string>)
                [
                    p.Prefix,
                    p.Kind == PrefixKind.Homed ? "homed" : "delegated",
                    p.Owner,
                    string.Join(", ", p.Endpoints),
                    Output.Printer.Time(p.CreatedAt),
                ]));
            }

            return ExitCodes.Ok;
        });

        return new Command("prefix", "home and list prefixes") { home, list };
    }
}
