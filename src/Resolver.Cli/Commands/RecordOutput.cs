using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary>Prints the record a write returns.</summary>
internal static class RecordOutput
{
    public static void Print(CliContext context, Record record)
    {
        if (context.Format == OutputFormat.Json)
        {
            context.Printer.JsonLine(record);
        }
        else
        {
            context.Printer.Records([record]);
        }
    }
}
