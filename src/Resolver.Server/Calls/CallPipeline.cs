using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Server.Configuration;
using Resolver.Server.Security;
using Resolver.Server.Telemetry;

namespace Resolver.Server.Calls;

/// <summary>
/// The one inbound pipeline of every wire (docs/architecture.md "Every call, every wire"): a listener decodes its request
/// into a <see cref="CallRequest"/>, and this turns it into a <see cref="AdmittedCall"/> or refuses it, in one order:
/// verify the credential → rate limit (partitioned on the caller, or the address for anonymous callers and refused
/// credentials, so that bogus tokens are limited too) → refuse a credential that did not hold → the deadline
/// (<c>--max-request-seconds</c> for unary calls). The hop limit is the resolution path's own rule, on every wire.
/// </summary>
internal sealed class CallPipeline(
    CredentialVerifier credentials,
    CallRateLimiter limiter,
    RefusedCredentialAudit refusals,
    RequestMetrics metrics,
    IOptions<LimitOptions> limits,
    TimeProvider time)
{
    /// <summary>The reason id of a call refused by the rate limit.</summary>
    public const string RateLimited = "rate-limited";

    /// <summary>Admits <paramref name="request"/>.</summary>
    /// <exception cref="ResolverException">UNAUTHENTICATED for a credential that does not hold, UNAVAILABLE when it cannot
    /// be checked, RESOURCE_EXHAUSTED (with <see cref="Problem.RetryAfter"/>) past the caller's rate limit.</exception>
    public async ValueTask<AdmittedCall> AdmitAsync(CallRequest request, CancellationToken cancellationToken)
    {
        Credential credential;
        ResolverException? refused = null;
        try
        {
            credential = await credentials.VerifyAsync(request.Authorization, cancellationToken).ConfigureAwait(false);
        }
        catch (ResolverException exception)
        {
            (credential, refused) = (Credential.Anonymous, exception);
        }

        // The partition's text is built only when there are buckets to find it in (--rate-limit off: none).
        var partition = !limiter.IsOn ? null : credential.IsAuthenticated ? credential.Caller.ToString() : "address:" + request.Peer;
        if (partition is not null && !limiter.TryAcquire(partition, out var wait))
        {
            metrics.RateLimited();
            throw new ResolverException(new Problem(ErrorKind.ResourceExhausted, RateLimited,
                $"rate limit of {limiter.Rate} requests per second for this caller exceeded; retry in {wait.TotalMilliseconds:0} ms", RetryAfter: wait));
        }

        if (refused is not null)
        {
            if (refused.Problem.Kind == ErrorKind.Unauthenticated)
            {
                // Counted, not written per attempt: bogus tokens must not be a way to flood the store.
                refusals.Note(request.Method, request.Peer?.ToString() ?? "(unknown address)");
            }

            throw refused;
        }

        var deadline = request.Deadline;
        if (request.Unary)
        {
            var bound = time.GetUtcNow().UtcDateTime.AddSeconds(limits.Value.MaxRequestSeconds);
            deadline = deadline is { } asked && asked < bound ? asked : bound;
        }

        return new AdmittedCall(request, credential, deadline, partition);
    }
}
