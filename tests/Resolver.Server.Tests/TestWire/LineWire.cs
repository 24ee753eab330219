using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Resolver.Core.Errors;
using Resolver.Core.Resolution;
using Resolver.Server.Calls;
using Resolver.Server.Telemetry;

namespace Resolver.Server.Tests.TestWire;

/// <summary>
/// A wire of the tests' own, to show what a listener for a new wire is (docs/architecture.md "Every call, every wire"):
/// a decoder, an encoder and one registration, and no ASP.NET type. Over TCP, one request per line,
/// <c>TOKEN IDENTIFIER [TYPE…]</c> (TOKEN <c>-</c> for none), one answer per line: <c>OK {"values":[…]}</c> or
/// <c>ERR CODE REASON MESSAGE</c>. Calls go through the node's own <see cref="CallPipeline"/> (credential, rate limit,
/// deadline), <see cref="ResolutionService"/>, <see cref="ProblemClassifier"/> and request metrics.
/// </summary>
internal sealed class LineWire(CallPipeline pipeline, ResolutionService resolution, ProblemClassifier problems, RequestMetrics metrics) : BackgroundService
{
    /// <summary>The method label of this wire's resolution, as metrics count it.</summary>
    public const string Method = "test-wire/resolve";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    /// <summary>The registration: the one line a wire adds to the node.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<LineWire>();
        services.AddHostedService(sp => sp.GetRequiredService<LineWire>());
    }

    /// <summary>The port it listens on (loopback).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var registration = stoppingToken.Register(_listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(client, stoppingToken);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stoppingToken)
    {
        using var _ = client;
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        var peer = ((IPEndPoint)client.Client.RemoteEndPoint!).Address;
        while (await reader.ReadLineAsync(stoppingToken) is { } line)
        {
            await writer.WriteLineAsync(await AnswerAsync(line, peer, stoppingToken));
        }
    }

    // Decoder → pipeline → resolution → encoder; every failure classified once and written as this wire writes it.
    private async Task<string> AnswerAsync(string line, IPAddress peer, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var code = "OK";
        try
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var request = new CallRequest("test-wire", Method, words.Length > 0 && words[0] != "-" ? $"Bearer {words[0]}" : null, peer, Deadline: null, Hops: 0, Unary: true);
            var call = await pipeline.AdmitAsync(request, cancellationToken);
            var query = new ResolveQuery(words.ElementAtOrDefault(1) ?? "", words.Length > 2 ? new Core.Records.ValueFilter([.. words.Skip(2)], []) : Core.Records.ValueFilter.All);
            var outcome = await resolution.ResolveAsync(query, call.Caller, call.Read, cancellationToken);
            if (outcome.Problem is { } problem)
            {
                code = RequestMetrics.CodeName((int)problem.Kind);
                return Error(problem);
            }

            return "OK " + JsonSerializer.Serialize(new { values = outcome.Record!.Values.Select(v => new { v.Index, v.Type, data = v.Data.Text }) });
        }
#pragma warning disable CA1031 // this wire's edge: classified once, written as an ERR line
        catch (Exception exception)
#pragma warning restore CA1031
        {
            var problem = problems.Classify(exception, Method, callerLeft: cancellationToken.IsCancellationRequested);
            code = RequestMetrics.CodeName((int)problem.Kind);
            return Error(problem);
        }
        finally
        {
            metrics.Finished(Method, code, started);
        }
    }

    private static string Error(Problem problem) => $"ERR {problem.Kind} {problem.Reason} {problem.Message}";
}
