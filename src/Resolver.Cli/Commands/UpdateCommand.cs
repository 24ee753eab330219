using System.CommandLine;
using Resolver.Cli.Templates;
using Resolver.Core.Templates;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary>
/// <c>resolver update ID [--value [INDEX:]TYPE=DATA]… [--remove INDEX]… [--ttl S] [--expected-version N]</c>.
/// A value without index replaces the lowest-index value of its type (keeping its TTL unless --ttl), or is added.
/// <c>--template T[@V]</c> declares (or moves the record to) that template version, values by item code at their items' indexes.
/// </summary>
internal static class UpdateCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "the identifier to change" };
        var remove = new Option<int[]>("--remove") { Description = "remove the value at this index (repeatable)" };
        var expected = new Option<long?>("--expected-version") { Description = "change only if the record is still at this version (else exit 4)" };
        var values = new ValueOptions();
        var template = new TemplateOption();
        var command = new Command("update", "add, replace or remove values of a record") { id, remove, expected };
        values.AddTo(command);
        template.AddTo(command);

        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var (parsed, error) = values.Parse(parse);
            if (error is not null)
            {
                return context.InvalidInput(error);
            }

            var removals = parse.GetValue(remove) ?? [];
            var spec = parse.GetValue(template.Template);
            if (parsed.Count == 0 && removals.Length == 0 && spec is null)
            {
                return context.InvalidInput("nothing to change: give --value [INDEX:]TYPE=DATA, --remove INDEX or --template T[@V]");
            }

            if (spec is not null)
            {
                if (parsed.Any(v => string.Equals(v.Type, TemplateTypes.Reference, StringComparison.OrdinalIgnoreCase)))
                {
                    return context.InvalidInput($"--template declares the record's template; give it or a {TemplateTypes.Reference} value, not both");
                }

                // The new reference replaces the record's own wherever it is (1001 by convention); one read to find it.
                var current = await context.Registry.GetRecordAsync(new GetRecordRequest { Identifier = parse.GetValue(id)! }, context.Call(cancellationToken)).ConfigureAwait(false);
                var declared = current.Values.FirstOrDefault(v => string.Equals(v.Type, TemplateTypes.Reference, StringComparison.OrdinalIgnoreCase))?.Index;
                var at = declared ?? (current.Values.Any(v => v.Index == TemplateTypes.ReferenceIndex) ? PublishedTemplate.FreeIndexOf(current) : TemplateTypes.ReferenceIndex);
                await TemplateOption.ApplyAsync(context, spec, parsed, at, parse.GetValue(values.Ttl), cancellationToken).ConfigureAwait(false);
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
