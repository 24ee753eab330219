using Microsoft.Extensions.Options;
using Resolver.Core.Identifiers;

namespace Resolver.Server.Configuration;

/// <summary>Rejects settings the server cannot run with, naming the flag to fix.</summary>
internal sealed class ResolverServerOptionsValidator : IValidateOptions<ResolverServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ResolverServerOptions options)
    {
        var failures = new List<string>();
        CheckUrl(failures, "--grpc-url", options.GrpcUrl);
        CheckUrl(failures, "--http-url", options.HttpUrl);
        if (Uri.TryCreate(options.GrpcUrl, UriKind.Absolute, out var grpc) && Uri.TryCreate(options.HttpUrl, UriKind.Absolute, out var http) && grpc.Port == http.Port && grpc.Port != 0)
        {
            failures.Add($"--grpc-url and --http-url both use port {grpc.Port}; gRPC (HTTP/2) and HTTP/1.1 need separate ports");
        }

        if (File.Exists(options.DataDir))
        {
            failures.Add($"--data-dir '{options.DataDir}' is a file; give a directory for the database");
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

        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            failures.Add("--data-dir is empty; give a directory for the database, e.g. ./data");
        }

        if (!options.EffectiveStore.StartsWith("sqlite:", StringComparison.Ordinal) && !options.EffectiveStore.StartsWith("postgres:", StringComparison.Ordinal))
        {
            failures.Add("--store must be sqlite:PATH or postgres:CONNECTION-STRING, e.g. postgres:Host=127.0.0.1;Username=resolver;Password=…;Database=resolver");
        }

        if (options.JwtSigningKey.Length is > 0 and < 32)
        {
            failures.Add("--jwt-signing-key must be at least 32 characters (256 bits) for HMAC-SHA256");
        }

        if (options.RateLimitPerSecond < 0)
        {
            failures.Add($"--rate-limit '{options.RateLimit}' is not a number of requests per second or 'off'");
        }

        CheckRange(failures, "--cache-ttl-cap", options.CacheTtlCap, 0, 7 * 86400);
        CheckRange(failures, "--cache-stale-window", options.CacheStaleWindow, 0, 7 * 86400);
        CheckRange(failures, "--cache-negative-ttl", options.CacheNegativeTtl, 0, 86400);
        CheckRange(failures, "--l1-max-entries", options.L1MaxEntries, 1, 100_000_000);
        CheckRange(failures, "--l1-unsynced-ttl-ms", options.L1UnsyncedTtlMs, 0, 3_600_000);

        // The bound is one poll interval plus Redis's 1 s timeout on the read that follows: at most 2 s.
        CheckRange(failures, "--change-poll-ms", options.ChangePollMs, 10, 900);
        CheckRange(failures, "--max-identifier-length", options.MaxIdentifierLength, 1, IdentifierSyntax.MaxBytes);
        CheckRange(failures, "--max-batch-size", options.MaxBatchSize, 1, 100_000);
        CheckRange(failures, "--max-values-per-record", options.MaxValuesPerRecord, 1, 100_000);
        CheckRange(failures, "--max-value-bytes", options.MaxValueBytes, 1, 16 * 1024 * 1024);
        CheckRange(failures, "--max-request-seconds", options.MaxRequestSeconds, 1, 3600);
        CheckRange(failures, "--max-message-bytes", options.MaxMessageBytes, 64 * 1024, 256 * 1024 * 1024);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckUrl(List<string> failures, string flag, string url)
    {
        // TLS endpoints arrive with the certificate settings; until then both endpoints are cleartext.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/")
        {
            failures.Add($"{flag} '{url}' is not an http://HOST:PORT address, e.g. http://127.0.0.1:5280");
        }
    }

    private static void CheckRange(List<string> failures, string flag, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{flag} {value} is out of range: give {min} to {max}");
        }
    }
}
