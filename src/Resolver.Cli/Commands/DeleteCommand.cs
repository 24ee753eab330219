using System.CommandLine;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary><c>resolver delete ID [--expected-version N]</c>: deletes a record, leaving a tombstone.</summary>
internal static class DeleteCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "the identifier to delete" };
        var expected = new Option<long?>("--expected-version") { Description = "delete only if the record is still at this version (else exit 4)" };
        var command = new Command("delete", "delete a record; resolving it then says when it was deleted, and registering it again needs --reuse") { id, expected };

        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var request = new DeleteRecordRequest { Identifier = parse.GetValue(id)! };
            if (parse.GetValue(expected) is { } version)
            {
                request.ExpectedVersion = version;
            }

            var response = await context.Registry.DeleteRecordAsync(request, context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                context.Printer.JsonLine(response);
            }
            else
            {
                context.Printer.Line($"deleted {response.Identifier} at {response.DeletedAt.ToDateTimeOffset():yyyy-MM-ddTHH:mm:ssZ} (tombstone version {response.Version})");
            }

            return ExitCodes.Ok;
        }, id);
        return command;
    }
}
