using System.CommandLine;
using System.Globalization;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary><c>resolver info</c>: the node's version, homed prefixes and the limits it enforces (GetServerInfo, SPEC §5).</summary>
internal static class InfoCommand
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("info", "show the node's version, the prefixes it homes and the limits it enforces (size batches by them)");
        runner.SetAction(command, async (context, _, cancellationToken) =>
        {
            if (HandleCommands.IsHandle(context.Server))
            {
                return await HandleCommands.InfoAsync(context, cancellationToken).ConfigureAwait(false); // the Handle server's site information
            }

            var info = await new Resolution.ResolutionClient(context.Channel).GetServerInfoAsync(new GetServerInfoRequest(), context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                context.Printer.JsonLine(info);
                return ExitCodes.Ok;
            }

            var limits = info.Limits;
            string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
            context.Printer.Line($"{context.Server}: Resolver {info.Version}");
            context.Printer.Table(["Setting", "Value"],
            [
                ["homed prefixes", info.HomedPrefixes.Count == 0 ? "(none)" : string.Join(", ", info.HomedPrefixes)],
                ["suffixes", info.CaseSensitiveSuffix ? "case-sensitive" : "ASCII case ignored"],
                ["max batch size", Number(limits.MaxBatchSize)],
                ["max message bytes", Number(limits.MaxMessageBytes)],
                ["max identifier length", $"{Number(limits.MaxIdentifierLength)} code points, {Number(limits.MaxIdentifierBytes)} bytes"],
                ["max values per record", Number(limits.MaxValuesPerRecord)],
                ["max value bytes", Number(limits.MaxValueBytes)],
                ["rate limit", limits.RateLimitPerSecond == 0 ? "off" : $"{Number(limits.RateLimitPerSecond)} requests/s per caller"],
                ["L1 budget", $"{Number(limits.L1MaxBytes)} bytes"],
            ]);
            return ExitCodes.Ok;
        });
        return command;
    }
}
