using System.CommandLine;
using System.Text;
using CsvHelper;
using Grpc.Core;
using Resolver.Cli.Bulk;

namespace Resolver.Cli.Commands;

/// <summary>
/// <c>resolver export PREFIX [--format csv|jsonl]</c>: every live record under PREFIX (sub-prefixes included), in identifier
/// order, to standard output as it streams from Registry.ExportRecords, in a format <c>import</c> reads back identically.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CommandRunner runner)
    {
        var prefix = new Argument<string>("PREFIX") { Description = "the prefix to export, e.g. 88.168.1" };
        var format = ImportCommand.FormatOption("output format, jsonl by default (lossless; csv and snms carry text values only)");
        var noBom = new Option<bool>("--no-bom") { Description = "CSV: leave out the UTF-8 byte-order mark that makes spreadsheets (Excel in zh-CN among them) read the file as UTF-8" };
        var command = new Command("export", "write every record under a prefix to standard output (import reads it back)") { prefix, format, noBom };
        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var csvFormat = parse.GetValue(format) == RecordFormat.Csv;
            var snmsFormat = parse.GetValue(format) == RecordFormat.Snms;

            // A buffered writer on the real standard output: a million records are a million lines.
            var toConsole = ReferenceEquals(context.Out, Console.Out);
            var output = toConsole ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) : context.Out;
            var exitCode = ExitCodes.Ok;
            try
            {
                using var call = context.Registry.ExportRecords(new Protocol.V1.ExportRecordsRequest { Prefix = parse.GetValue(prefix)! }, context.StreamCall(cancellationToken));
                using var csv = csvFormat ? new CsvWriter(output, RecordFile.CsvSettings(), leaveOpen: true) : null;
                if (csv is not null)
                {
                    if (!parse.GetValue(noBom))
                    {
                        await output.WriteAsync(RecordFile.ByteOrderMark).ConfigureAwait(false);
                    }

                    RecordFile.WriteCsvHeader(csv);
                }

                await foreach (var record in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (snmsFormat)
                    {
                        var (line, unfit) = SnmsFile.Line(record);
                        if (line is not null)
                        {
                            await output.WriteLineAsync(line).ConfigureAwait(false);
                        }
                        else
                        {
                            exitCode = context.Report(StatusCode.FailedPrecondition, unfit!, record.Identifier, "not-snms");
                        }
                    }
                    else if (csv is null)
                    {
                        await output.WriteLineAsync(RecordFile.JsonLine(record)).ConfigureAwait(false);
                    }
                    else if (RecordFile.WriteCsv(csv, record) is { } unfit)
                    {
                        await csv.FlushAsync().ConfigureAwait(false);
                        exitCode = context.Report(StatusCode.FailedPrecondition, unfit, record.Identifier, "not-csv");
                    }
                }

                if (csv is not null)
                {
                    await csv.FlushAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (toConsole)
                {
                    await output.DisposeAsync().ConfigureAwait(false);
                }
            }

            return exitCode;
        }, prefix);
        return command;
    }
}
