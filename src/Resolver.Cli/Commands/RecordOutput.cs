using Resolver.Cli.Templates;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary>Prints the record a write returns (in JSON with <c>"template"</c> when it declares one).</summary>
internal static class RecordOutput
{
    public static void Print(CliContext context, Record record)
    {
        if (context.Format == OutputFormat.Json)
        {
            context.Printer.JsonLine(record, TemplateOption.DeclaredBy(record));
        }
        else
        {
            context.Printer.Records([record]);
        }
    }
}
