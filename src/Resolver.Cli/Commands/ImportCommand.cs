using System.CommandLine;
using System.Text;
using System.Threading.Channels;
using Grpc.Core;
using Resolver.Cli.Bulk;
using Resolver.Cli.Output;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary>
/// <c>resolver import FILE [--format csv|jsonl|snms [--template ID[@VERSION]]] [--reuse]</c>: streams a file's records to Registry.BulkUpsert, a window of
/// records in flight, so that neither the CLI nor the server holds the file. Bad lines are reported with their number and
/// the import goes on; the summary counts records created, updated, unchanged and failed. Exit 0 when nothing failed, 3
/// otherwise. Re-running the same file is safe: unchanged records are not rewritten.
/// </summary>
internal static class ImportCommand
{
    // Records sent but not answered yet: two of the server's chunks, so it always has the next one ready.
    private const int Window = 1000;

    public static Command Create(CommandRunner runner)
    {
        var file = new Argument<string>("FILE") { Description = "CSV (identifier,index,type,data[,ttl,permissions]) or JSON Lines as export writes it; '-' for standard input" };
        var format = FormatOption("the file's format; by default from its extension (.csv, .jsonl)");
        var reuse = new Option<bool>("--reuse") { Description = "register again identifiers that were deleted (otherwise they fail)" };
        var encoding = new Option<InputEncoding>("--encoding")
        {
            Description = "the file's text encoding: auto (UTF-8, or GB18030 when the file's first non-ASCII line is not UTF-8 but is GB18030), utf-8, or gb18030 (also gbk, gb2312: GB18030 includes them)",
            DefaultValueFactory = _ => InputEncoding.Auto,
            CustomParser = result => result.Tokens[0].Value.ToLowerInvariant() switch
            {
                "auto" => InputEncoding.Auto,
                "utf-8" or "utf8" => InputEncoding.Utf8,
                "gb18030" or "gbk" or "gb2312" or "cp936" => InputEncoding.Gb18030,
                var other => FailEncoding(result, other),
            },
        };
        var template = new Option<string?>("--template")
        {
            Description = "--format snms: the template the records' templateVersion values are versions of, e.g. 88.168/TPL.PART (declared as 88.168/TPL.PART@VERSION); with @VERSION, that version for every record",
        };
        var command = new Command("import", "create or update records from a CSV or JSON Lines file (safe to re-run)") { file, format, reuse, encoding, template };
        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            var chosen = parse.GetValue(format) ?? RecordFile.FromExtension(path);
            if (chosen is not { } recordFormat)
            {
                return context.InvalidInput(path == "-"
                    ? "give --format csv, jsonl or snms to import standard input"
                    : $"cannot tell the format of {path} from its extension: give --format csv, jsonl or snms");
            }

            if (parse.GetValue(template) is not null && recordFormat != RecordFormat.Snms)
            {
                return context.InvalidInput("--template maps the secondary node's templateVersion: it goes with --format snms (CSV and JSON Lines declare a template with a TEMPLATE value)");
            }

            Stream input;
            try
            {
                input = path == "-" ? Console.OpenStandardInput() : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return context.InvalidInput($"cannot read {path}: {exception.Message}");
            }

            long? total = input.CanSeek ? input.Length : null;
            await using var counting = new CountingStream(input);

            // Decoded a line at a time: a line that is not text in the file's encoding fails its record, by line number.
            using var reader = new LineDecodingReader(counting, parse.GetValue(encoding));
            using var run = new ImportRun(context, reader, recordFormat, parse.GetValue(template), parse.GetValue(reuse));
            return await ImportProgress.RunAsync(context, "import", total, () => counting.BytesRead, run.Done, () => run.RunAsync(cancellationToken)).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>--format csv|jsonl|snms.</summary>
    public static Option<RecordFormat?> FormatOption(string description) => new("--format")
    {
        Description = description + " (csv, jsonl, or snms: the secondary node's {handle, templateVersion, value} objects, one per line)",
        CustomParser = result => result.Tokens[0].Value.ToLowerInvariant() switch
        {
            "csv" => RecordFormat.Csv,
            "jsonl" or "ndjson" => RecordFormat.Jsonl,
            "snms" => RecordFormat.Snms,
            var other => Fail(result, other),
        },
    };

    private static InputEncoding FailEncoding(System.CommandLine.Parsing.ArgumentResult result, string value)
    {
        result.AddError($"--encoding '{value}' must be auto, utf-8 or gb18030 (gbk)");
        return InputEncoding.Auto;
    }

    private static RecordFormat? Fail(System.CommandLine.Parsing.ArgumentResult result, string value)
    {
        result.AddError($"--format '{value}' must be csv, jsonl or snms");
        return null;
    }

    /// <summary>One import: a sender reading the file and a receiver counting the answers, over one BulkUpsert call.</summary>
    private sealed class ImportRun(CliContext context, LineDecodingReader reader, RecordFormat format, string? template, bool reuse) : IDisposable
    {
        private readonly long[] _counts = new long[5]; // by UpsertOutcome
        private readonly SemaphoreSlim _window = new(Window, Window);
        private readonly Channel<(long Line, string Identifier)> _inFlight = Channel.CreateUnbounded<(long, string)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        // Records answered or refused so far (64-bit reads are atomic on the platforms .NET 10 runs on).
        public long Done() => _counts.Sum();

        public void Dispose() => _window.Dispose();

        public async Task<int> RunAsync(CancellationToken cancellationToken)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var call = context.Registry.BulkUpsert(context.StreamCall(stop.Token));
            Exception? inputFailure = null;
            var sending = Task.Run(async () =>
            {
                try
                {
                    await SendAsync(call.RequestStream, stop.Token).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is InvalidDataException or IOException)
                {
                    inputFailure = exception;
                    await stop.CancelAsync().ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is OperationCanceledException or RpcException)
                {
                    // The call ended (the receiver has its status) or the user interrupted.
                }
                finally
                {
                    _inFlight.Writer.TryComplete();
                }
            }, CancellationToken.None);

            RpcException? callFailure = null;
            try
            {
                await foreach (var result in call.ResponseStream.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    Count(result);
                }
            }
            catch (RpcException exception)
            {
                callFailure = exception;
                await stop.CancelAsync().ConfigureAwait(false);
            }

            await sending.ConfigureAwait(false);
            if (inputFailure is not null)
            {
                PrintSummary();
                return context.InvalidInput(inputFailure.Message);
            }

            PrintSummary();
            if (callFailure is not null)
            {
                return context.Report(callFailure);
            }

            return Interlocked.Read(ref _counts[(int)UpsertOutcome.Failed]) > 0 ? ExitCodes.Unavailable : ExitCodes.Ok;
        }

        private async Task SendAsync(IClientStreamWriter<UpsertRecordRequest> requests, CancellationToken cancellationToken)
        {
            await foreach (var item in RecordFile.ReadAsync(reader, format, template, cancellationToken).ConfigureAwait(false))
            {
                if (item.Request is null)
                {
                    foreach (var (line, reason) in item.Errors)
                    {
                        context.ReportLine(line, "INVALID_ARGUMENT", reason, item.Identifier, "invalid-line");
                    }

                    Interlocked.Increment(ref _counts[(int)UpsertOutcome.Failed]);
                    continue;
                }

                item.Request.ReuseDeleted = reuse;
                await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
                _inFlight.Writer.TryWrite((item.Line, item.Identifier));
                await requests.WriteAsync(item.Request, cancellationToken).ConfigureAwait(false);
            }

            await requests.CompleteAsync().ConfigureAwait(false);
        }

        // The server answers in request order: each answer is the oldest record in flight.
        private void Count(UpsertRecordResult result)
        {
            _inFlight.Reader.TryRead(out var sent);
            _window.Release();
            var outcome = result.Outcome is >= UpsertOutcome.Created and <= UpsertOutcome.Failed ? result.Outcome : UpsertOutcome.Failed;
            Interlocked.Increment(ref _counts[(int)outcome]);
            if (outcome == UpsertOutcome.Failed)
            {
                var code = (StatusCode)(result.Status?.Code ?? (int)StatusCode.Unknown);
                context.ReportLine(sent.Line, ExitCodes.StatusName(code), result.Status?.Message ?? "failed", result.Identifier, result.Status?.Problem?.Reason);
            }
        }

        private void PrintSummary()
        {
            var summary = new ImportSummary(
                Interlocked.Read(ref _counts[(int)UpsertOutcome.Created]),
                Interlocked.Read(ref _counts[(int)UpsertOutcome.Updated]),
                Interlocked.Read(ref _counts[(int)UpsertOutcome.Unchanged]),
                Interlocked.Read(ref _counts[(int)UpsertOutcome.Failed]));
            if (context.Format == OutputFormat.Json)
            {
                context.Out.WriteLine(CliJson.Summary(summary));
            }
            else
            {
                context.Printer.Table(["Created", "Updated", "Unchanged", "Failed"], [[Printer.Number(summary.Created), Printer.Number(summary.Updated), Printer.Number(summary.Unchanged), Printer.Number(summary.Failed)]]);
            }
        }
    }
}
