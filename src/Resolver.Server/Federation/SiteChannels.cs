using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Resolver.Server.Configuration;

namespace Resolver.Server.Federation;

/// <summary>
/// One gRPC channel per site endpoint, kept for the life of the node (HTTP/2 connections are reused across calls).
/// https:// sites are checked against the system's roots, or against <c>--site-ca-file</c> alone for a private PKI.
/// </summary>
internal sealed class SiteChannels(IOptions<FederationOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly Lazy<X509Certificate2Collection?> _roots = new(() => LoadRoots(options.Value.SiteCaFile));

    /// <summary>The resolution client of the site endpoint <paramref name="endpoint"/> (e.g. https://node.example:5443).</summary>
    public Protocol.V1.Resolution.ResolutionClient For(string endpoint) => new(_channels.GetOrAdd(endpoint, Create));

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }

    private GrpcChannel Create(string endpoint)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(options.Value.SiteTimeoutMs),
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        };
        if (_roots.Value is { } roots)
        {
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                // A private PKI rarely publishes revocation lists the node can reach; its certificates are short-lived instead.
                RevocationMode = X509RevocationMode.NoCheck,
            };
            handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }

        return GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { HttpHandler = handler, MaxReceiveMessageSize = 64 * 1024 * 1024 });
    }

    private static X509Certificate2Collection? LoadRoots(string path)
    {
        if (path.Length == 0)
        {
            return null;
        }

        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(path);
        return roots;
    }
}
