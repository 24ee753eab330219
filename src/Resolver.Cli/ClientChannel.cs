using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Resolver.Cli;

/// <summary>
/// The CLI's channel to a node. With round robin, the host name of <c>--server</c> is resolved through DNS and every
/// address gets a connection; calls take turns. The name is looked up again every <c>--dns-refresh-seconds</c>
/// (<see cref="RefreshingDnsResolver"/>), which is what lets replicas added by an autoscaler take calls
/// (docs/operations.md, "Load balancing"). Resolution calls that meet a replica as it goes away are retried on another.
/// </summary>
internal static class ClientChannel
{
    public static GrpcChannel Create(Uri server, LoadBalancing balancing, TimeSpan dnsRefresh)
    {
        var options = new GrpcChannelOptions
        {
            // Batch answers can be large; the server bounds what it sends by its batch limit.
            MaxReceiveMessageSize = 256 * 1024 * 1024,
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(5),
                EnableMultipleHttp2Connections = true,
            },
        };
        if (balancing == LoadBalancing.PickFirst)
        {
            return GrpcChannel.ForAddress(server, options);
        }

        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new RefreshingDnsResolver.Factory(dnsRefresh));
        options.ServiceProvider = services.BuildServiceProvider();
        options.ServiceConfig = new ServiceConfig
        {
            LoadBalancingConfigs = { new RoundRobinConfig() },
            // A replica that went away between the pick and the call: resolution is read-only, so another replica
            // may answer it. Writes are never retried (a lost answer is not a lost write).
            MethodConfigs =
            {
                new MethodConfig
                {
                    Names = { new MethodName { Service = "resolver.v1.Resolution" } },
                    RetryPolicy = new RetryPolicy
                    {
                        MaxAttempts = 3,
                        InitialBackoff = TimeSpan.FromMilliseconds(10),
                        MaxBackoff = TimeSpan.FromMilliseconds(100),
                        BackoffMultiplier = 2,
                        RetryableStatusCodes = { StatusCode.Unavailable },
                    },
                },
            },
        };
        options.Credentials = server.Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        return GrpcChannel.ForAddress($"dns:///{server.Host}:{server.Port}", options);
    }
}
