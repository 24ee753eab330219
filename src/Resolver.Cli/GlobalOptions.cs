using System.CommandLine;

namespace Resolver.Cli;

/// <summary>The options every command takes; each defaults from its RESOLVER_* variable.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultServer = "http://127.0.0.1:5280";

    public Option<string> Server { get; } = new("--server")
    {
        Description = "the node's gRPC address [env: RESOLVER_SERVER]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RESOLVER_SERVER") is { Length: > 0 } server ? server : DefaultServer,
        Recursive = true,
    };

    // No DefaultValueFactory: help prints defaults, and a secret must never reach a screen or a bug report.
    public Option<string?> Token { get; } = new("--token")
    {
        Description = "API key or bearer token sent as 'authorization: Bearer …' [env: RESOLVER_TOKEN; never shown]",
        Recursive = true,
    };

    /// <summary>The credential to send: <c>--token</c>, else RESOLVER_TOKEN, else none.</summary>
    public string? TokenFrom(ParseResult parse) =>
        parse.GetValue(Token) is { Length: > 0 } given ? given
        : Environment.GetEnvironmentVariable("RESOLVER_TOKEN") is { Length: > 0 } token ? token
        : null;

    public Option<OutputFormat> Output { get; } = new("--output", "-o")
    {
        Description = "table for people, json for scripts (one object per answer, JSON Lines for several)",
        DefaultValueFactory = _ => OutputFormat.Table,
        Recursive = true,
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "seconds to wait for each call",
        DefaultValueFactory = _ => 30,
        Recursive = true,
    };

    public Option<string> Balancing { get; } = CreateBalancing();

    private static Option<string> CreateBalancing()
    {
        var option = new Option<string>("--lb")
        {
            Description = "pick_first: one connection to --server; round_robin: every address its host name resolves to (e.g. a headless Kubernetes Service), call by call [env: RESOLVER_LB]",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RESOLVER_LB") is { Length: > 0 } balancing ? balancing : "pick_first",
            Recursive = true,
        };
        option.AcceptOnlyFromAmong("pick_first", "round_robin");
        return option;
    }

    public Option<double> DnsRefresh { get; } = new("--dns-refresh-seconds")
    {
        Description = "with --lb round_robin, seconds between DNS lookups of --server's host, so replicas added since are used [env: RESOLVER_DNS_REFRESH_SECONDS]",
        DefaultValueFactory = _ => double.TryParse(Environment.GetEnvironmentVariable("RESOLVER_DNS_REFRESH_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var seconds) ? seconds : 30,
        Recursive = true,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Balancing);
        command.Options.Add(DnsRefresh);
        command.Options.Add(Server);
        command.Options.Add(Token);
        command.Options.Add(Output);
        command.Options.Add(Timeout);
    }
}

/// <summary>How the CLI spreads calls over a service's replicas (gRPC load-balancing policies of the same names).</summary>
internal enum LoadBalancing
{
    PickFirst,
    RoundRobin,
}

/// <summary>How results are printed.</summary>
internal enum OutputFormat
{
    Table,
    Json,
}
