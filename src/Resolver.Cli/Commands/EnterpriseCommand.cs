using System.CommandLine;
using Resolver.Cli.Output;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary><c>resolver enterprise create NAME --prefix PREFIX</c> and <c>resolver enterprise list</c> (administrator).</summary>
internal static class EnterpriseCommand
{
    public static Command Create(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = "the enterprise's name: letters, digits, '-', '_', '.'" };
        var prefix = new Option<string?>("--prefix") { Description = "a prefix the enterprise will own, e.g. 88.168.1 (homed here when it is not yet)" };
        var create = new Command("create", "create an enterprise, give it a prefix and print its API key (shown only once)") { name, prefix };
        runner.SetAction(create, async (context, parse, cancellationToken) =>
        {
            var response = await context.Admin.CreateEnterpriseAsync(
                new CreateEnterpriseRequest { Name = parse.GetValue(name)!, Prefix = parse.GetValue(prefix) ?? "" }, context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                context.Printer.JsonLine(response);
            }
            else
            {
                context.Printer.Line($"created enterprise {response.Enterprise.Name}{(response.Enterprise.Prefixes.Count > 0 ? $" owning {string.Join(", ", response.Enterprise.Prefixes)}" : "")}");
                context.Printer.Line($"API key (shown only now; store it safely): {response.ApiKey}");
                context.Printer.Line($"key id (to revoke it): {response.KeyId}");
            }

            return ExitCodes.Ok;
        });

        var list = new Command("list", "list enterprises and the prefixes they own");
        runner.SetAction(list, async (context, _, cancellationToken) =>
        {
            var response = await context.Admin.ListEnterprisesAsync(new ListEnterprisesRequest(), context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                foreach (var enterprise in response.Enterprises)
                {
                    context.Printer.JsonLine(enterprise);
                }
            }
            else
            {
                context.Printer.Table(["Enterprise", "Prefixes", "Since"], response.Enterprises.Select(e => (IReadOnlyList<string>)
                    [e.Name, string.Join(", ", e.Prefixes), Printer.Time(e.CreatedAt)]));
            }

            return ExitCodes.Ok;
        });

        return new Command("enterprise", "manage enterprises (administrator)") { create, list };
    }
}
