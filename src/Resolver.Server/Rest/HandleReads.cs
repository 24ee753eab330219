using System.Globalization;
using Microsoft.Net.Http.Headers;
using Resolver.Core.Records;
using Resolver.Core.Resolution;
using Resolver.Core.Security;
using Resolver.Server.Security;

namespace Resolver.Server.Rest;

/// <summary>
/// <c>GET /api/handles/{prefix}/{suffix}</c>: a resolution through <see cref="ResolutionService"/> (the one path with
/// permission filtering), answered in Handle.Net's JSON with HTTP caching headers from the record.
/// </summary>
internal static class HandleReads
{
    public static Task GetAsync(HttpContext context, ResolutionService resolution) =>
        HandleAnswers.RunAsync(context, "GET /api/handles", async handle =>
        {
            var caller = context.GetCaller();
            var parameters = HandleQuery.ForGet(context.Request.Query);

            // auth (authoritative) is accepted: this node answers only for what it homes, from caches a write invalidates
            // within a bounded time (docs/caching.md). doNotRefer asks a recursive node for the referral instead (docs/federation.md).
            var outcome = await resolution.ResolveAsync(new ResolveQuery(handle, parameters.Filter, parameters.DoNotRefer), caller, context.GetCall().Read, context.RequestAborted).ConfigureAwait(false);
            if (outcome.Problem is { } problem)
            {
                await HandleAnswers.WriteProblemAsync(context, handle, problem).ConfigureAwait(false);
                return;
            }

            if (outcome.Referral is { } referral)
            {
                context.Response.Headers.CacheControl = $"max-age={referral.Ttl.ToString(CultureInfo.InvariantCulture)}";
                await HandleAnswers.WriteAsync(context, StatusCodes.Status200OK, new HandleResponse(
                    HandleCodes.ServiceReferral, handle, $"prefix {referral.Prefix} is served by another site",
                    Referral: new HandleReferralJson(referral.Prefix, referral.Endpoints, referral.Ttl))).ConfigureAwait(false);
                return;
            }

            var record = outcome.Record!;

            // publicOnly: by default true for anonymous callers (who see only public values anyway), false for others.
            var values = (parameters.PublicOnly ?? caller.Kind == CallerKind.Anonymous)
                ? [.. record.Values.Where(v => v.Permissions.HasFlag(ValuePermissions.PublicRead))]
                : record.Values;

            var etag = ETag(record.Version, values);
            var headers = context.Response.Headers;
            headers.ETag = etag;
            headers.Vary = HeaderNames.Authorization;
            var maxAge = values.Count == 0 ? 0 : values.Min(v => v.Ttl);
            headers.CacheControl = $"{(caller.Kind == CallerKind.Anonymous ? "public" : "private")}, max-age={maxAge.ToString(CultureInfo.InvariantCulture)}";
            if (Matches(context.Request.Headers.IfNoneMatch, etag))
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            await HandleAnswers.WriteAsync(context, StatusCodes.Status200OK, new HandleResponse(
                values.Count == 0 ? HandleCodes.ValuesNotFound : HandleCodes.Success,
                handle,
                Values: [.. values.Select(HandleValues.ToJson)])).ConfigureAwait(false);
        });

    /// <summary>
    /// The version of the record and which of its values this answer holds: a grant, a filter or <c>publicOnly</c>
    /// changes the body without changing the version, so the indexes are part of the tag.
    /// </summary>
    internal static string ETag(long version, IReadOnlyList<HandleValue> values)
    {
        var hash = 2166136261u; // FNV-1a over the answered indexes
        foreach (var value in values)
        {
            hash = (hash ^ (uint)value.Index) * 16777619u;
        }

        return $"\"{version.ToString(CultureInfo.InvariantCulture)}-{hash:x8}\"";
    }

    /// <summary>The record version an <c>If-Match</c> or <c>If-None-Match</c> entity tag names, or null.</summary>
    internal static long? VersionOf(string? etag)
    {
        var tag = (etag ?? "").Trim();
        tag = tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
        tag = tag.Trim('"');
        var dash = tag.IndexOf('-', StringComparison.Ordinal);
        return long.TryParse(dash < 0 ? tag : tag[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
    }

    // RFC 9110 §13.1.2: weak comparison; "*" matches any current representation.
    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var header in ifNoneMatch)
        {
            foreach (var candidate in (header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var tag = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
                if (tag == "*" || tag == etag)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
