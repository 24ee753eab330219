using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Resolver.Protocol.V1;
using Resolver.Testing;

namespace Resolver.Server.Tests;

/// <summary>The HTTPS endpoint: one port serving gRPC and HTTP with a certificate from PEM files.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("resolver-tls-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HttpsEndpoint_ServesGrpcAndHealthOnOnePort_WithTheConfiguredCertificate()
    {
        using var certificate = SelfSigned();
        var certFile = Path.Combine(_directory, "tls.crt");
        var keyFile = Path.Combine(_directory, "tls.key");
        await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem(), Ct);
        await File.WriteAllTextAsync(keyFile, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), Ct);
        var https = $"https://127.0.0.1:{FreePort.Next()}";
        await using var server = await TestServer.StartAsync("--https-url", https, "--tls-cert", certFile, "--tls-key", keyFile);

        using var handler = new HttpClientHandler
        {
            // Trust exactly the certificate the server was given.
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint,
        };
        using var channel = GrpcChannel.ForAddress(https, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
        var info = await new Resolution.ResolutionClient(channel).GetServerInfoAsync(new GetServerInfoRequest(), cancellationToken: Ct);
        using var http = new HttpClient(handler, disposeHandler: false);
        var ready = await http.GetStringAsync(new Uri($"{https}/healthz/ready"), Ct);
        var handle = await http.GetAsync(new Uri($"{https}/api/handles/88.168.1/NOPE"), Ct);

        Assert.False(string.IsNullOrEmpty(info.Version));
        Assert.Equal("Healthy", ready);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, handle.StatusCode); // the Handle REST API on the TLS port too
        Assert.Contains("\"responseCode\":301", await handle.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal); // 88.168.1 is not homed: not responsible
    }

    [Fact]
    public async Task Metrics_OnTheTlsPort_IsNotServed_EvenWithAHostHeaderNamingTheHttpPort()
    {
        using var certificate = SelfSigned();
        var certFile = Path.Combine(_directory, "tls.crt");
        var keyFile = Path.Combine(_directory, "tls.key");
        await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem(), Ct);
        await File.WriteAllTextAsync(keyFile, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), Ct);
        var https = $"https://127.0.0.1:{FreePort.Next()}";
        await using var server = await TestServer.StartAsync("--https-url", https, "--tls-cert", certFile, "--tls-key", keyFile);
        var httpAuthority = new Uri(server.HttpAddress).Authority;
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == certificate.Thumbprint };
        using var http = new HttpClient(handler);

        var forged = await SendAsync(http, $"{https}/metrics", host: httpAuthority);
        var plain = await SendAsync(http, $"{https}/metrics", host: null);
        var onTheHttpPort = await SendAsync(http, $"{server.HttpAddress}/metrics", host: "metrics.example:443");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, forged.Status);
        Assert.DoesNotContain("resolver_", forged.Body, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, plain.Status);
        Assert.Equal(System.Net.HttpStatusCode.OK, onTheHttpPort.Status); // the port decides, not the Host header
        Assert.Contains("# TYPE", onTheHttpPort.Body, StringComparison.Ordinal);
    }

    private static async Task<(System.Net.HttpStatusCode Status, string Body)> SendAsync(HttpClient http, string url, string? host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = System.Net.HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await http.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task HttpsUrl_WithoutCertificateFiles_StopsWithOneLine()
    {
        using var error = new StringWriter();

        var exitCode = await ResolverHost.RunAsync(["--https-url", "https://127.0.0.1:0", "--data-dir", _directory], error);

        Assert.Equal(1, exitCode);
        Assert.Contains("--https-url needs --tls-cert and --tls-key", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecursiveNode_AsksAnHttpsSite_TrustingOnlyTheSiteCaFile()
    {
        using var certificate = SelfSigned();
        var certFile = Path.Combine(_directory, "site.crt");
        var keyFile = Path.Combine(_directory, "site.key");
        await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem(), Ct);
        await File.WriteAllTextAsync(keyFile, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), Ct);
        var https = $"https://127.0.0.1:{FreePort.Next()}";
        await using var site = await TestServer.StartAsync("--https-url", https, "--tls-cert", certFile, "--tls-key", keyFile);
        await site.RegisterAsync("88.168.1/TLS", "https://example.com/tls");
        await using var trusting = await TestServer.StartAsync("--recursive", "true", "--site-ca-file", certFile);
        await using var untrusting = await TestServer.StartAsync("--recursive", "true");
        foreach (var node in (TestServer[])[trusting, untrusting])
        {
            var delegation = new DelegatePrefixRequest { Prefix = "88.168.1" };
            delegation.Sites.Add(https);
            await node.Admin.DelegatePrefixAsync(delegation, cancellationToken: Ct);
        }

        var answer = await trusting.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/TLS" }, cancellationToken: Ct);
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => untrusting.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/TLS" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal("https://example.com/tls", answer.Record.Values[0].Data.Text);
        Assert.Equal(Grpc.Core.StatusCode.Unavailable, refused.StatusCode); // the private CA's certificate is not in the system's roots
        Assert.Contains(https, refused.Status.Detail, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=resolver-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }
}
