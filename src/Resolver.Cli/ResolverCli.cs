using System.CommandLine;
using Resolver.Cli.Commands;

namespace Resolver.Cli;

/// <summary>The <c>resolver</c> command line: global options, the commands, and one-line usage errors.</summary>
internal static class ResolverCli
{
    /// <summary>Runs one command line; returns the exit code (SPEC §9).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var globals = new GlobalOptions();
        var runner = new CommandRunner(globals, output, error);
        var root = new RootCommand("resolver: resolve and manage industrial internet identifiers (prefix/suffix, e.g. 88.168.1/ABC-123)")
        {
            HealthCommand.Create(runner),
            InfoCommand.Create(runner),
            ResolveCommand.Create(runner),
            RegisterCommand.Create(runner),
            UpdateCommand.Create(runner),
            DeleteCommand.Create(runner),
            PrefixCommand.Create(runner),
            EnterpriseCommand.Create(runner),
            KeyCommand.Create(runner),
            GrantCommand.Create(runner),
            AuditCommand.Create(runner),
            ImportCommand.Create(runner),
            ExportCommand.Create(runner),
            WatchCommand.Create(runner),
            BenchCommand.Create(runner),
            TemplateCommand.Create(runner),
        };
        globals.AddTo(root);

        // Response files (@file) would turn an identifier starting with '@' into a file read: off.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            // One line, not a help page: scripts read standard error.
            var json = args.Contains("json") && (args.Contains("--output") || args.Contains("-o"));
            var message = $"{string.Join("; ", parse.Errors.Select(e => Readable(e.Message)))} (see resolver --help)";
            await error.WriteLineAsync(json
                ? CliJson.Error("INVALID_ARGUMENT", ExitCodes.InvalidInput, message, null, "usage")
                : $"INVALID_ARGUMENT: {message}").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
    }

    // The parser names .NET types and lists suggestions on several lines; say it in the user's words, on one line.
    private static string Readable(string message)
    {
        message = message
            .Replace("'System.Nullable`1[System.Int64]'", "a whole number", StringComparison.Ordinal)
            .Replace("'System.Nullable`1[System.Int32]'", "a whole number", StringComparison.Ordinal)
            .Replace("'System.Int32'", "a whole number", StringComparison.Ordinal)
            .Replace("'System.Int64'", "a whole number", StringComparison.Ordinal)
            .Replace("'System.Double'", "a number", StringComparison.Ordinal)
            .Replace("'Resolver.Cli.OutputFormat'", "table or json", StringComparison.Ordinal)
            .Replace("expected type ", "", StringComparison.Ordinal);
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
    }
}
