using System.CommandLine;
using Grpc.Core;
using Resolver.Cli.Output;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary>
/// <c>resolver watch PREFIX [--after SEQ]</c>: prints every committed change under PREFIX as it happens, one line each
/// (one JSON object per line with --output json), until interrupted. With --after, the changes since that sequence number
/// come first. Cut off for falling behind, it resumes by itself from the last sequence it printed.
/// </summary>
internal static class WatchCommand
{
    public static Command Create(CommandRunner runner)
    {
        var prefix = new Argument<string>("PREFIX") { Description = "the prefix to watch, sub-prefixes included, e.g. 88.168.1" };
        var after = new Option<long?>("--after") { Description = "first print the changes after this sequence number (the last one you saw)" };
        var command = new Command("watch", "print the changes under a prefix as they happen (Ctrl-C stops)") { prefix, after };
        runner.SetAction(command, async (context, parse, cancellationToken) =>
        {
            var position = parse.GetValue(after);
            while (true)
            {
                var request = new WatchRequest { Prefix = parse.GetValue(prefix)! };
                if (position is { } last)
                {
                    request.After = last;
                }

                try
                {
                    using var call = context.Registry.Watch(request, context.StreamCall(cancellationToken));
                    await foreach (var change in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                    {
                        Print(context, change);
                        position = change.Sequence;
                    }

                    return ExitCodes.Ok;
                }
                catch (RpcException exception) when (exception.StatusCode == StatusCode.ResourceExhausted && position is not null && !cancellationToken.IsCancellationRequested)
                {
                    // Cut off for falling behind: resume from what was printed (nothing is lost: the log has the rest).
                    await context.Error.WriteLineAsync($"watch: fell behind and was cut off; resuming after {position}").ConfigureAwait(false);
                }
                catch (RpcException exception) when (exception.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
                {
                    return ExitCodes.Ok;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return ExitCodes.Ok;
                }
            }
        }, prefix);
        return command;
    }

    private static void Print(CliContext context, ChangeEvent change)
    {
        if (context.Format == OutputFormat.Json)
        {
            context.Printer.JsonLine(change);
        }
        else
        {
            var kind = change.Kind.ToString().ToLowerInvariant();
            var values = change.Record is null ? "" : " " + string.Join(' ', change.Record.Values.Select(v => $"{v.Index}:{v.Type}={Printer.DataText(v.Data)}"));
            lock (context.Out)
            {
                context.Out.WriteLine(Printable.Of($"{change.Sequence} {Printer.Time(change.At)} {kind} {change.Identifier} v{change.Version}{values}"));
                context.Out.Flush();
            }
        }
    }
}
