using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Resolver.Cli.Bulk;

/// <summary>
/// Shows an import's progress on standard error while <c>work</c> runs: a Spectre.Console progress bar with rate and
/// ETA on a terminal, plain lines every few seconds when standard error is redirected (logs, CI). Standard output
/// stays for results.
/// </summary>
internal static class ImportProgress
{
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="work"/>, reporting bytes read of <paramref name="totalBytes"/> (null: unknown, e.g. standard input) and records done.</summary>
    public static async Task<T> RunAsync<T>(CliContext context, string name, long? totalBytes, Func<long> bytesRead, Func<long> recordsDone, Func<Task<T>> work)
    {
        if (context.ErrorIsTerminal)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            return await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask(Markup.Escape(name), maxValue: totalBytes ?? 1);
                    task.IsIndeterminate = totalBytes is null;
                    var running = work();
                    while (await Task.WhenAny(running, Task.Delay(200)).ConfigureAwait(false) != running)
                    {
                        task.Value = Math.Min(bytesRead(), totalBytes ?? 0);
                        task.Description = Markup.Escape($"{name}: {recordsDone():N0} records");
                    }

                    task.Value = totalBytes ?? 1;
                    task.Description = Markup.Escape($"{name}: {recordsDone():N0} records");
                    task.StopTask();
                    return await running.ConfigureAwait(false);
                }).ConfigureAwait(false);
        }

        var clock = Stopwatch.StartNew();
        var job = work();
        while (await Task.WhenAny(job, Task.Delay(PlainEvery)).ConfigureAwait(false) != job)
        {
            PlainLine(context, name, totalBytes, bytesRead(), recordsDone(), clock.Elapsed, done: false);
        }

        PlainLine(context, name, totalBytes, bytesRead(), recordsDone(), clock.Elapsed, done: true);
        return await job.ConfigureAwait(false);
    }

    // E.g. "import: 120,000 records, 24,000 records/s, 45 %, ETA 00:00:06".
    private static void PlainLine(CliContext context, string name, long? total, long bytes, long records, TimeSpan elapsed, bool done)
    {
        var rate = elapsed.TotalSeconds > 0 ? records / elapsed.TotalSeconds : 0;
        var line = $"{name}: {records.ToString("N0", CultureInfo.InvariantCulture)} records, {rate.ToString("N0", CultureInfo.InvariantCulture)} records/s";
        if (done)
        {
            line += $", done in {elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";
        }
        else if (total is > 0 && bytes > 0)
        {
            var fraction = Math.Min(1, (double)bytes / total.Value);
            var eta = TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / fraction);
            line += $", {(fraction * 100).ToString("0", CultureInfo.InvariantCulture)} %, ETA {eta:hh\\:mm\\:ss}";
        }

        lock (context.Error)
        {
            context.Error.WriteLine(line);
        }
    }
}
