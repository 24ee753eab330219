using System.CommandLine;
using Resolver.Cli.Output;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary><c>resolver grant add|remove --to ENTERPRISE --prefix PREFIX [--type T]…</c> and <c>resolver grant list</c>.</summary>
internal static class GrantCommand
{
    public static Command Create(CommandRunner runner)
    {
        var to = new Option<string>("--to") { Description = "the enterprise that may read (its name)", Required = true };
        var prefix = new Option<string>("--prefix") { Description = "the prefix (sub-prefixes included) you own", Required = true };
        var types = new Option<string[]>("--type") { Description = "only values of this type; 'URL.' includes subtypes (repeatable; default all types)" };
        var add = new Command("add", "let another enterprise read your non-public values under a prefix") { to, prefix, types };
        runner.SetAction(add, async (context, parse, cancellationToken) =>
        {
            var request = new GrantReadRequest { Grantee = parse.GetValue(to)!, Prefix = parse.GetValue(prefix)! };
            request.Types_.AddRange(parse.GetValue(types) ?? []);
            var grant = await context.Admin.GrantReadAsync(request, context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                context.Printer.JsonLine(grant);
            }
            else
            {
                context.Printer.Line($"{grant.Grantee} may now read {grant.Owner}'s {(grant.Types_.Count == 0 ? "values" : string.Join(", ", grant.Types_) + " values")} under {grant.Prefix}");
            }

            return ExitCodes.Ok;
        });

        var removeTo = new Option<string>("--to") { Description = "the enterprise that could read", Required = true };
        var removePrefix = new Option<string>("--prefix") { Description = "the prefix of the grant", Required = true };
        var remove = new Command("remove", "withdraw a read grant") { removeTo, removePrefix };
        runner.SetAction(remove, async (context, parse, cancellationToken) =>
        {
            await context.Admin.RevokeReadAsync(new RevokeReadRequest { Grantee = parse.GetValue(removeTo)!, Prefix = parse.GetValue(removePrefix)! }, context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                context.Printer.JsonLine(new RevokeReadResponse());
            }
            else
            {
                context.Printer.Line($"{parse.GetValue(removeTo)} may no longer read your non-public values under {parse.GetValue(removePrefix)}");
            }

            return ExitCodes.Ok;
        });

        var list = new Command("list", "list the grants you gave or received (all, for the administrator)");
        runner.SetAction(list, async (context, _, cancellationToken) =>
        {
            var response = await context.Admin.ListGrantsAsync(new ListGrantsRequest(), context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                foreach (var grant in response.Grants)
                {
                    context.Printer.JsonLine(grant);
                }
            }
            else
            {
                context.Printer.Table(["Owner", "Grantee", "Prefix", "Types", "Since"], response.Grants.Select(g => (IReadOnlyList<string>)
                    [g.Owner, g.Grantee, g.Prefix, g.Types_.Count == 0 ? "(all)" : string.Join(", ", g.Types_), Printer.Time(g.CreatedAt)]));
            }

            return ExitCodes.Ok;
        });

        return new Command("grant", "read access between enterprises") { add, remove, list };
    }
}
