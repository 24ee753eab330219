using System.CommandLine;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Resolver.Cli.Output;
using Resolver.Protocol.V1;

namespace Resolver.Cli;

/// <summary>One invocation's connection, output and error reporting, shared by every command.</summary>
internal sealed class CliContext : IDisposable
{
    private readonly Lazy<GrpcChannel> _channel;

    public CliContext(ParseResult parse, GlobalOptions options, TextWriter output, TextWriter error)
    {
        Server = parse.GetValue(options.Server) ?? GlobalOptions.DefaultServer;
        Token = options.TokenFrom(parse);
        Format = parse.GetValue(options.Output);
        Timeout = TimeSpan.FromSeconds(parse.GetValue(options.Timeout));
        Out = output;
        Error = error;
        Printer = new Printer(output, Format);
        BalancingName = parse.GetValue(options.Balancing) ?? "pick_first";
        Balancing = BalancingName == "round_robin" ? LoadBalancing.RoundRobin : LoadBalancing.PickFirst;
        DnsRefresh = TimeSpan.FromSeconds(parse.GetValue(options.DnsRefresh));
        _channel = new Lazy<GrpcChannel>(() => NewChannel());
    }

    public string Server { get; }

    public string? Token { get; }

    public LoadBalancing Balancing { get; }

    /// <summary>The policy as given (--lb or RESOLVER_LB), for validation.</summary>
    public string BalancingName { get; }

    public TimeSpan DnsRefresh { get; }

    /// <summary>A channel of its own (the load generator opens several connections); <see cref="Channel"/> is the shared one.</summary>
    public GrpcChannel NewChannel() => ClientChannel.Create(new Uri(Server), Balancing, DnsRefresh);

    public OutputFormat Format { get; }

    public TimeSpan Timeout { get; }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public Printer Printer { get; }

    public GrpcChannel Channel => _channel.Value;

    public Protocol.V1.Resolution.ResolutionClient Resolution => new(Channel);

    public Protocol.V1.Registry.RegistryClient Registry => new(Channel);

    public Protocol.V1.Admin.AdminClient Admin => new(Channel);

    /// <summary>Options for one call: its deadline and credentials.</summary>
    public CallOptions Call(CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (!string.IsNullOrEmpty(Token))
        {
            headers.Add("authorization", $"Bearer {Token}");
        }

        return new CallOptions(headers, DateTime.UtcNow + Timeout, cancellationToken);
    }

    /// <summary>Options for a long stream (import, export, watch, resolve --file): credentials, no deadline; --timeout bounds unary calls only.</summary>
    public CallOptions StreamCall(CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (!string.IsNullOrEmpty(Token))
        {
            headers.Add("authorization", $"Bearer {Token}");
        }

        return new CallOptions(headers, deadline: null, cancellationToken);
    }

    /// <summary>True when standard error is a terminal (progress bars); false when redirected or captured.</summary>
    public bool ErrorIsTerminal => ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>Reports a bad line of an input file as one line on standard error (its line number first).</summary>
    public void ReportLine(long line, string code, string message, string? identifier, string? reason)
    {
        lock (Error)
        {
            if (Format == OutputFormat.Json)
            {
                Error.WriteLine(CliJson.Error(code, ExitCodes.For(Enum.TryParse<StatusCode>(code.Replace("_", "", StringComparison.Ordinal), true, out var status) ? status : StatusCode.InvalidArgument), message, identifier, reason, line));
            }
            else
            {
                var named = string.IsNullOrEmpty(identifier) || message.Contains(identifier, StringComparison.Ordinal);
                Error.WriteLine(Printable.Of(named ? $"line {line}: {code}: {message}" : $"line {line}: {code}: {identifier}: {message}"));
            }
        }
    }

    /// <summary>Reports a usage or input error (exit code 1).</summary>
    public int InvalidInput(string message) => Fail("INVALID_ARGUMENT", ExitCodes.InvalidInput, message, identifier: null, reason: "usage");

    /// <summary>Reports a failed call as one line and returns its exit code.</summary>
    public int Report(RpcException exception, string? identifier = null)
    {
        var reason = exception.Trailers.GetValueBytes("resolver-problem-bin") is { } bytes ? Problem.Parser.ParseFrom(bytes).Reason : null;
        return Report(exception.StatusCode, Describe(exception), identifier, reason);
    }

    /// <summary>Reports a failed item of a batch or stream as one line and returns its exit code.</summary>
    public int Report(StatusCode code, string message, string? identifier, string? reason) =>
        Fail(ExitCodes.StatusName(code), ExitCodes.For(code), message, identifier, reason);

    public void Dispose()
    {
        if (_channel.IsValueCreated)
        {
            _channel.Value.Dispose();
        }
    }

    private string Describe(RpcException exception)
    {
        // A status the client made up because it never reached the server: say where it tried.
        if (exception.StatusCode is StatusCode.Unavailable or StatusCode.Internal && exception.Status.DebugException is { } cause)
        {
            var socket = FindSocketError(cause);
            var why = socket is not null ? socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData => "host not found",
                SocketError.TimedOut => "timed out",
                _ => socket.Message,
            } : cause.Message;
            if (cause.ToString().Contains("HTTP_1_1_REQUIRED", StringComparison.Ordinal))
            {
                // Kestrel's HTTP/1.1 endpoint (health, REST) refuses HTTP/2: a node's gRPC port is another one.
                return $"{Server} is an HTTP/1.1 endpoint (health checks), not the node's gRPC port (5280 by default); set --server or RESOLVER_SERVER to the gRPC address";
            }

            return $"cannot reach the server at {Server} ({why}); is it running? Set --server or RESOLVER_SERVER";
        }

        if (exception.StatusCode == StatusCode.DeadlineExceeded)
        {
            return $"the server at {Server} did not answer within {Timeout.TotalSeconds:0.#} s (--timeout)";
        }

        if (exception.Status.Detail.Contains("HTTP_1_1_REQUIRED", StringComparison.Ordinal))
        {
            return $"the server at {Server} speaks HTTP/1.1 only: that is the health/REST port; gRPC is on the server's --grpc-url (default {GlobalOptions.DefaultServer})";
        }

        return exception.Status.Detail;
    }

    private static SocketException? FindSocketError(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is SocketException socket)
            {
                return socket;
            }
        }

        return null;
    }

    private int Fail(string status, int exitCode, string message, string? identifier, string? reason)
    {
        if (Format == OutputFormat.Json)
        {
            Error.WriteLine(CliJson.Error(status, exitCode, message, identifier, reason));
        }
        else
        {
            // Name the identifier unless the server's message already does; one line whatever it contains.
            var named = identifier is null || message.Contains(identifier, StringComparison.Ordinal);
            var line = named ? $"{status}: {message}" : $"{status}: {Printable.Of(identifier!, 120)}: {message}";
            Error.WriteLine(Printable.Of(line));
        }

        return exitCode;
    }
}
