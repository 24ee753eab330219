using System.Net;
using Grpc.Core;
using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.Logging;

namespace Resolver.Cli;

/// <summary>
/// DNS for client-side round robin that looks the name up again every <c>--dns-refresh-seconds</c>. Grpc.Net.Client's
/// own DNS resolver takes a refresh interval but never resolves more often than every 15 s, so a replica the
/// autoscaler adds (a new address of a headless Service) would wait that long for calls. Each address keeps the
/// name as its host override, so TLS checks the certificate against the name, not the pod's address.
/// </summary>
internal sealed class RefreshingDnsResolver : PollingResolver
{
    // The key grpc-dotnet reads the :authority and TLS target name from (ConnectionManager.HostOverrideKey).
    private static readonly BalancerAttributesKey<string> HostOverride = new("HostOverride");

    private readonly string _host;
    private readonly int _port;
    private readonly TimeSpan _interval;
    private Timer? _timer;

    private RefreshingDnsResolver(string host, int port, TimeSpan interval, ILoggerFactory loggerFactory)
        : base(loggerFactory)
    {
        _host = host;
        _port = port;
        _interval = interval;
    }

    protected override void OnStarted()
    {
        base.OnStarted();
        _timer = new Timer(_ => Refresh(), null, _interval, _interval);
    }

    protected override async Task ResolveAsync(CancellationToken cancellationToken)
    {
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(_host, cancellationToken).ConfigureAwait(false);
            Listener(ResolverResult.ForResult([.. addresses.Select(address =>
            {
                var endpoint = new BalancerAddress(address.ToString(), _port);
                endpoint.Attributes.Set(HostOverride, $"{_host}:{_port}");
                return endpoint;
            })]));
        }
        catch (Exception exception) when (exception is System.Net.Sockets.SocketException or ArgumentException)
        {
            Listener(ResolverResult.ForFailure(new Status(StatusCode.Unavailable, $"cannot resolve {_host}: {exception.Message}")));
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _timer?.Dispose();
    }

    /// <summary>Makes resolvers for <c>dns:///HOST:PORT</c> addresses.</summary>
    internal sealed class Factory(TimeSpan interval) : ResolverFactory
    {
        public override string Name => "dns";

        public override Grpc.Net.Client.Balancer.Resolver Create(ResolverOptions options)
        {
            // dns:///host:port puts host and port in the path.
            var target = new Uri("tcp://" + options.Address.AbsolutePath.TrimStart('/'));
            return new RefreshingDnsResolver(target.Host, target.Port == -1 ? options.DefaultPort : target.Port, interval, options.LoggerFactory);
        }
    }
}
