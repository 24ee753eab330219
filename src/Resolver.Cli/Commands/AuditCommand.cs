using System.CommandLine;
using Resolver.Cli.Output;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary><c>resolver audit [--limit N] [--before SEQ]</c>: the audit log of write attempts, newest first (administrator).</summary>
internal static class AuditCommand
{
    public static Command Create(CommandRunner runner)
    {
        var limit = new Option<int>("--limit") { Description = "most entries to show (1-10000)", DefaultValueFactory = _ => 50 };
        var before = new Option<long>("--before") { Description = "only entries older than this sequence number (paging)" };
        var command = new Command("audit", "show who tried to change what, and the outcome (administrator)") { limit, before };
        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            if (parse.GetValue(limit) is < 1 or > 10_000)
            {
                return context.InvalidInput($"--limit {parse.GetValue(limit)} is out of range: give 1 to 10000");
            }

            var response = await context.Admin.ListAuditAsync(new ListAuditRequest { Limit = parse.GetValue(limit), BeforeSequence = parse.GetValue(before) }, context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                foreach (var entry in response.Entries)
                {
                    context.Printer.JsonLine(entry);
                }
            }
            else
            {
                context.Printer.Table(["Seq", "At", "Actor", "Operation", "Target", "Version", "Outcome"], response.Entries.Select(e => (IReadOnlyList<string>)
                [
                    Printer.Number(e.Sequence),
                    Printer.Time(e.At),
                    e.Actor,
                    e.Operation,
                    e.Target,
                    e.HasVersionAfter ? $"{(e.HasVersionBefore ? Printer.Number(e.VersionBefore) : "-")} → {Printer.Number(e.VersionAfter)}" : "",
                    e.Outcome,
                ]));
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
