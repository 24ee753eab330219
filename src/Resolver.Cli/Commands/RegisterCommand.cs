using System.CommandLine;
using Resolver.Cli.Templates;
using Resolver.Core.Templates;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary><c>resolver register ID --value [INDEX:]TYPE=DATA… [--ttl S] [--reuse] [--template T[@V]]</c>: creates a record.</summary>
internal static class RegisterCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = new Argument<string>("ID") { Description = "the identifier to register, e.g. 88.168.1/ABC-123" };
        var reuse = new Option<bool>("--reuse") { Description = "register again an identifier that was deleted" };
        var values = new ValueOptions();
        var template = new TemplateOption();
        var command = new Command("register", "register an identifier with its values (an omitted index takes the lowest free one)") { id, reuse };
        values.AddTo(command);
        template.AddTo(command);

        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var (parsed, error) = values.Parse(parse);
            if (error is not null)
            {
                return context.InvalidInput(error);
            }

            if (parse.GetValue(template.Template) is { } spec)
            {
                if (parsed.Any(v => string.Equals(v.Type, TemplateTypes.Reference, StringComparison.OrdinalIgnoreCase)))
                {
                    return context.InvalidInput($"--template declares the record's template; give it or a {TemplateTypes.Reference} value, not both");
                }

                await TemplateOption.ApplyAsync(context, spec, parsed, TemplateTypes.ReferenceIndex, parse.GetValue(values.Ttl), cancellationToken).ConfigureAwait(false);
            }

            var request = new CreateRecordRequest { Identifier = parse.GetValue(id)!, ReuseDeleted = parse.GetValue(reuse) };
            request.Values.AddRange(parsed);
            var record = await context.Registry.CreateRecordAsync(request, context.Call(cancellationToken)).ConfigureAwait(false);
            RecordOutput.Print(context, record);
            return ExitCodes.Ok;
        }, id);
        return command;
    }
}
