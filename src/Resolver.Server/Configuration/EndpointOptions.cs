namespace Resolver.Server.Configuration;

/// <summary>Where the node listens: gRPC, HTTP/1.1, and the optional TLS endpoint (flags in <see cref="ServerSettings"/>).</summary>
public sealed class EndpointOptions
{
    /// <summary>Where gRPC is served (HTTP/2 cleartext).</summary>
    public string GrpcUrl { get; set; } = "http://127.0.0.1:5280";

    /// <summary>Where HTTP/1.1 is served: the Handle REST API, JSON transcoding, OpenAPI and the health probes.</summary>
    public string HttpUrl { get; set; } = "http://127.0.0.1:5281";

    /// <summary>An optional TLS endpoint serving gRPC and HTTP on one port, e.g. https://0.0.0.0:5443; needs <see cref="TlsCert"/> and <see cref="TlsKey"/>.</summary>
    public string HttpsUrl { get; set; } = "";

    /// <summary>PEM certificate (chain) file for <see cref="HttpsUrl"/>, e.g. a mounted Kubernetes Secret.</summary>
    public string TlsCert { get; set; } = "";

    /// <summary>PEM private key file for <see cref="TlsCert"/>.</summary>
    public string TlsKey { get; set; } = "";

    /// <summary>Client certificates on <see cref="HttpsUrl"/>: none, allow, or require (mTLS).</summary>
    public string TlsClientCertificates { get; set; } = "none";
}
