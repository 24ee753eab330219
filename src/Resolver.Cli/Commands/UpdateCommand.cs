using System.CommandLine;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary>
/// <c>resolver update ID [--value [INDEX:]TYPE=DATA]… [--remove INDEX]… [--ttl S] [--expected-version N]</c>.
/// A value without index replaces the lowest-index value of its type (keeping its TTL unless --ttl), or is added.
/// </summary>
internal static class UpdateCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "the identifier to change" };
        var remove = new Option<int[]>("--remove") { Description = "remove the value at this index (repeatable)" };
        var expected = new Option<long?>("--expected-version") { Description = "change only if the record is still at this version (else exit 4)" };
        var values = new ValueOptions();
        var command = new Command("update", "add, replace or remove values of a record") { id, remove, expected };
        values.AddTo(command);

        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var (parsed, error) = values.Parse(parse);
            if (error is not null)
            {
                return context.InvalidInput(error);
            }

            var removals = parse.GetValue(remove) ?? [];
            if (parsed.Count == 0 && removals.Length == 0)
            {
                return context.InvalidInput("nothing to change: give --value [INDEX:]TYPE=DATA or --remove INDEX");
            }

            var request = new UpdateRecordRequest { Identifier = parse.GetValue(id)! };
            request.Values.AddRange(parsed);
            request.RemoveIndexes.AddRange(removals);
            if (parse.GetValue(expected) is { } version)
            {
                if (version < 1)
                {
                    return context.InvalidInput($"--expected-version {version} is not a record version: versions start at 1");
                }

                request.ExpectedVersion = version;
            }

            if (removals.Where(index => index < 1).Select(index => (int?)index).FirstOrDefault() is { } bad)
            {
                return context.InvalidInput($"--remove {bad} is not a value index: indexes start at 1");
            }

            var record = await context.Registry.UpdateRecordAsync(request, context.Call(cancellationToken)).ConfigureAwait(false);
            RecordOutput.Print(context, record);
            return ExitCodes.Ok;
        }, id);
        return command;
    }
}
