using System.Globalization;
using Microsoft.Net.Http.Headers;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Resolution;
using Resolver.Core.Security;
using Resolver.Core.Templates;
using Resolver.Server.Security;

namespace Resolver.Server.Rest;

/// <summary>
/// <c>GET /api/handles/{prefix}/{suffix}</c>: a resolution through <see cref="ResolutionService"/> (the one path with
/// permission filtering), answered in Handle.Net's JSON with HTTP caching headers from the record.
/// </summary>
internal static class HandleReads
{
    public static Task GetAsync(HttpContext context, ResolutionService resolution, PrefixDirectory prefixes, TemplateCatalog templates) =>
        HandleAnswers.RunAsync(context, "GET /api/handles", async handle =>
        {
            var caller = context.GetCaller();
            var parameters = HandleQuery.ForGet(context.Request.Query);
            var preconditions = HandlePreconditions.Of(context.Request);
            if (parameters.PublicOnly == false && caller.Kind == CallerKind.Anonymous)
            {
                // Permission before state: refused whether or not the handle exists, as CNRI's Handle.Net 9.0 answers (403, code 402).
                throw new Core.Errors.ResolverException(new Core.Errors.Problem(Core.Errors.ErrorKind.PermissionDenied, HandleCodes.PrivateNeedsCredentialsReason,
                    "publicOnly=false asks for values that are not public, which needs credentials: Authorization: Bearer <API key> or Basic (docs/rest.md); leave it out for public values"));
            }

            // auth (authoritative) is accepted: this node answers only for what it homes, from caches a write invalidates
            // within a bounded time (docs/caching.md). doNotRefer asks a recursive node for the referral instead (docs/federation.md).
            var outcome = await resolution.ResolveAsync(new ResolveQuery(handle, parameters.Filter, parameters.DoNotRefer), caller, context.GetCall().Read, context.RequestAborted).ConfigureAwait(false);
            if (outcome.Problem is { } problem)
            {
                // RFC 9110 §13.2.1: preconditions are ignored when the answer would not be 2xx anyway (a 404 stays a 404).
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
            var publicOnly = parameters.PublicOnly ?? caller.Kind == CallerKind.Anonymous;
            var values = publicOnly
                ? [.. record.Values.Where(v => v.Permissions.HasFlag(ValuePermissions.PublicRead))]
                : record.Values;

            // HS_ADMIN, derived from the prefix's owner, for those who may write the handle (as Handle.Net answers it to admins).
            var admin = HandleAdminValues.For(caller, record, values, parameters.Filter, publicOnly, await prefixes.GetTableAsync(context.RequestAborted).ConfigureAwait(false));

            // Evaluated before any caching header is set: a 412 must not be cacheable.
            var etag = ETag(record.Version, values, withAdmin: admin is not null);
            var notModified = preconditions.IsNotModified(handle, etag);
            var headers = context.Response.Headers;
            headers.ETag = etag;
            headers.Vary = HeaderNames.Authorization;
            var maxAge = values.Count == 0 ? 0 : values.Min(v => v.Ttl);
            headers.CacheControl = $"{(caller.Kind == CallerKind.Anonymous ? "public" : "private")}, max-age={maxAge.ToString(CultureInfo.InvariantCulture)}";
            if (notModified)
            {
                // RFC 9110 §15.4.5: the headers a 200 would carry (ETag, Cache-Control, Vary), no content.
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            IEnumerable<HandleValueJson> answered = values.Select(HandleValues.ToJson);
            if (parameters.Language is { } language && await ItemsOfAsync(templates, record, caller, context.RequestAborted).ConfigureAwait(false) is { } items)
            {
                answered = answered.Select(v => items.ItemOf(v.Type)?.Names?.In(language) is { } name ? v with { Name = name } : v);
            }

            if (admin is not null)
            {
                answered = answered.Append(admin).OrderBy(v => v.Index);
            }

            await HandleAnswers.WriteAsync(context, StatusCodes.Status200OK, new HandleResponse(
                values.Count == 0 && admin is null ? HandleCodes.ValuesNotFound : HandleCodes.Success,
                handle,
                Values: [.. answered])).ConfigureAwait(false);
        });

    // The template a record declares, for its item names; none when it declares none, or the template cannot be read now
    // (the names are a courtesy: the record is answered without them rather than not at all).
    private static async ValueTask<CompiledTemplate?> ItemsOfAsync(TemplateCatalog templates, HandleRecord record, Caller caller, CancellationToken cancellationToken)
    {
        var declared = record.Values.FirstOrDefault(v => string.Equals(v.Type, TemplateTypes.Reference, StringComparison.OrdinalIgnoreCase));
        if (!TemplateReference.TryParse(declared?.Data.Text, out var reference))
        {
            return null;
        }

        try
        {
            return (await templates.FindAsync([reference], caller, cancellationToken).ConfigureAwait(false))[reference].Template;
        }
        catch (Core.Errors.ResolverException)
        {
            return null;
        }
    }

    /// <summary>
    /// The version of the record and which of its values this answer holds: a grant, a filter or <c>publicOnly</c>
    /// changes the body without changing the version, so the indexes are part of the tag, the derived HS_ADMIN's
    /// (<paramref name="withAdmin"/>, <see cref="HandleAdminValues"/>) included.
    /// </summary>
    internal static string ETag(long version, IReadOnlyList<HandleValue> values, bool withAdmin = false)
    {
        var indexes = values.Select(v => v.Index);
        if (withAdmin)
        {
            indexes = indexes.Append(HandleAdminValues.Index).Order();
        }

        var hash = 2166136261u; // FNV-1a over the answered indexes
        foreach (var index in indexes)
        {
            hash = (hash ^ (uint)index) * 16777619u;
        }

        return $"\"{version.ToString(CultureInfo.InvariantCulture)}-{hash:x8}\"";
    }
}
