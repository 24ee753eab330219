using Microsoft.Extensions.Options;

namespace Resolver.Server.Configuration;

/// <summary>The rules that span several settings or read their shape (URLs, files, store names), each failure naming the flag to fix.</summary>
internal sealed class SettingsValidator : IValidateOptions<EndpointOptions>, IValidateOptions<StoreOptions>, IValidateOptions<SecurityOptions>, IValidateOptions<OperationsOptions>, IValidateOptions<FederationOptions>, IValidateOptions<HandleOptions>, IValidateOptions<CacheTierOptions>
{
    public ValidateOptionsResult Validate(string? name, CacheTierOptions options) =>
        options.RedisNamespace.Length == 0 || CacheTierOptions.IsValidNamespace(options.RedisNamespace)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"--redis-namespace '{options.RedisNamespace}' must be 1 to 64 letters, digits, '.', '_' or '-', e.g. production");

    public ValidateOptionsResult Validate(string? name, EndpointOptions options)
    {
        var failures = new List<string>();
        CheckUrl(failures, "--grpc-url", options.GrpcUrl);
        CheckUrl(failures, "--http-url", options.HttpUrl);
        if (Uri.TryCreate(options.GrpcUrl, UriKind.Absolute, out var grpc) && Uri.TryCreate(options.HttpUrl, UriKind.Absolute, out var http) && grpc.Port == http.Port && grpc.Port != 0)
        {
            failures.Add($"--grpc-url and --http-url both use port {grpc.Port}; gRPC (HTTP/2) and HTTP/1.1 need separate ports");
        }

        if (!string.IsNullOrEmpty(options.HttpsUrl))
        {
            if (!Uri.TryCreate(options.HttpsUrl, UriKind.Absolute, out var https) || https.Scheme != Uri.UriSchemeHttps)
            {
                failures.Add($"--https-url '{options.HttpsUrl}' is not an https://HOST:PORT address, e.g. https://0.0.0.0:5443");
            }

            if (!File.Exists(options.TlsCert) || !File.Exists(options.TlsKey))
            {
                failures.Add($"--https-url needs --tls-cert and --tls-key naming readable PEM files (got '{options.TlsCert}' and '{options.TlsKey}')");
            }

            if (options.TlsClientCertificates is not ("none" or "allow" or "require"))
            {
                failures.Add($"--tls-client-certificates '{options.TlsClientCertificates}' must be none, allow or require");
            }
        }

        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, HandleOptions options)
    {
        var failures = new List<string>();
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        if (!HandleWire.HandleEndpoint.TryParse(options.HandleUrl, out var host, out _, out var error))
        {
            failures.Add($"--handle-url {error}, or none");
        }
        else if (HandleWire.HandleEndpoint.ListenAddress(host) is not { } address)
        {
            failures.Add($"--handle-url '{options.HandleUrl}' must name an IP address to listen on (or localhost), e.g. hdl://0.0.0.0:2641");
        }
        else if (options.HandleSiteAddress.Length == 0 && (address.Equals(System.Net.IPAddress.Any) || address.Equals(System.Net.IPAddress.IPv6Any)))
        {
            failures.Add($"--handle-url listens on {address}, so this node's HS_SITE cannot name it: set --handle-site-address to the IP address clients reach it at (in Kubernetes, the pod's or the Service's)");
        }

        if (options.HandleSiteAddress.Length > 0 && !System.Net.IPAddress.TryParse(options.HandleSiteAddress, out _))
        {
            failures.Add($"--handle-site-address '{options.HandleSiteAddress}' is not an IP address (HS_SITE holds addresses, not names)");
        }

        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            failures.Add("--data-dir is empty; give a directory for the database, e.g. ./data");
        }
        else if (File.Exists(options.DataDir))
        {
            failures.Add($"--data-dir '{options.DataDir}' is a file; give a directory for the database");
        }

        if (!options.IsEmbedded && !options.EffectiveStore.StartsWith("postgres:", StringComparison.Ordinal))
        {
            failures.Add("--store must be sqlite:PATH or postgres:CONNECTION-STRING, e.g. postgres:Host=127.0.0.1;Username=resolver;Password=…;Database=resolver");
        }

        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var failures = new List<string>();
        if (options.JwtSigningKey.Length is > 0 and < 32)
        {
            failures.Add("--jwt-signing-key must be at least 32 characters (256 bits) for HMAC-SHA256");
        }

        if (options.RateLimitPerSecond < 0)
        {
            failures.Add($"--rate-limit '{options.RateLimit}' is not a number of requests per second or 'off'");
        }

        if (Rest.CrossOriginReads.Invalid(options.CorsOrigins) is { } cors)
        {
            failures.Add(cors);
        }

        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, OperationsOptions options)
    {
        var failures = new List<string>();
        if (options.OtlpEndpoint.Length > 0 && (!Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var otlp) || (otlp.Scheme != Uri.UriSchemeHttp && otlp.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"--otlp-endpoint '{options.OtlpEndpoint}' is not an http(s)://HOST:PORT address of an OTLP/gRPC collector, e.g. http://127.0.0.1:4317");
        }

        if (options.HeapLimitSetting is null)
        {
            failures.Add($"--heap-limit-mb '{options.HeapLimitMb}' must be auto, off or a number of MiB from {OperationsOptions.MinHeapLimitMb} to {OperationsOptions.MaxHeapLimitMb}");
        }

        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, FederationOptions options)
    {
        var failures = new List<string>();
        if (options.Upstream.Length > 0 && (!Uri.TryCreate(options.Upstream, UriKind.Absolute, out var upstream) || upstream.AbsolutePath != "/" || !Core.Prefixes.PrefixAdministration.IsSite(options.Upstream)))
        {
            failures.Add($"--upstream '{options.Upstream}' is not a site address: a node's gRPC URL, e.g. https://secondary.example:5443, or a Handle server, e.g. hdl://10.0.0.7:2641");
        }

        try
        {
            _ = Federation.SiteAllowList.Parse(options.SiteAllow);
        }
        catch (FormatException exception)
        {
            failures.Add($"--site-allow: {exception.Message}");
        }

        if (options.SiteCaFile.Length > 0 && !ReadsAsCertificates(options.SiteCaFile))
        {
            failures.Add($"--site-ca-file '{options.SiteCaFile}' is not a readable PEM file of CA certificates");
        }

        return Result(failures);
    }

    private static bool ReadsAsCertificates(string path)
    {
        try
        {
            var certificates = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            certificates.ImportFromPemFile(path);
            return certificates.Count > 0;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    private static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

    private static void CheckUrl(List<string> failures, string flag, string url)
    {
        // TLS endpoints come with the certificate settings; these two are cleartext.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/")
        {
            failures.Add($"{flag} '{url}' is not an http://HOST:PORT address, e.g. http://127.0.0.1:5280");
        }
    }
}
