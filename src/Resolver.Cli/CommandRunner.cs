using System.CommandLine;
using Grpc.Core;

namespace Resolver.Cli;

/// <summary>Gives every command the same start and end: a <see cref="CliContext"/> in, an exit code out, a failed call reported as one line.</summary>
internal sealed class CommandRunner(GlobalOptions globals, TextWriter output, TextWriter error)
{
    public GlobalOptions Globals => globals;

    /// <summary>Makes <paramref name="body"/> the action of <paramref name="command"/>.</summary>
    /// <param name="command">The command.</param>
    /// <param name="body">What it does.</param>
    /// <param name="identifier">The identifier the command is about, named in its error line.</param>
    public void SetAction(Command command, Func<CliContext, ParseResult, CancellationToken, Task<int>> body, Argument<string>? identifier = null) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var context = new CliContext(parse, globals, output, error);
            if (!Uri.TryCreate(context.Server, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https" or "hdl"))
            {
                return context.InvalidInput($"--server '{context.Server}' is not an http:// or https:// address (or hdl:// for a Handle server), e.g. {GlobalOptions.DefaultServer}");
            }

            if (server.Scheme == "hdl" && command.Name is not ("resolve" or "info" or "bench"))
            {
                return context.InvalidInput($"--server {context.Server} speaks the Handle protocol, which this CLI speaks for resolve, info and bench --protocol handle-udp|handle-tcp; give the node's gRPC address for {command.Name}");
            }

            if (context.BalancingName is not ("pick_first" or "round_robin"))
            {
                return context.InvalidInput($"--lb (or RESOLVER_LB) '{context.BalancingName}' must be pick_first or round_robin");
            }

            if (context.DnsRefresh <= TimeSpan.Zero)
            {
                return context.InvalidInput($"--dns-refresh-seconds {context.DnsRefresh.TotalSeconds} is not a positive number of seconds");
            }

            if (context.Timeout <= TimeSpan.Zero)
            {
                return context.InvalidInput($"--timeout {context.Timeout.TotalSeconds} is not a positive number of seconds");
            }

            try
            {
                return await body(context, parse, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException exception)
            {
                return context.Report(exception, identifier is null ? null : parse.GetValue(identifier));
            }
        });
}
