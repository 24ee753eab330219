using Microsoft.Net.Http.Headers;
using Resolver.Core.Errors;
using Resolver.Core.Registry;

namespace Resolver.Server.Rest;

/// <summary>
/// The conditional headers of one Handle REST request, <c>If-Match</c> and <c>If-None-Match</c> (RFC 9110 §13.1.1,
/// §13.1.2), parsed with ASP.NET Core's <see cref="EntityTagHeaderValue"/> and evaluated in RFC 9110 §13.2.2's order
/// against the current representation's ETag (<see cref="HandleReads.ETag"/>): <c>If-Match</c> by strong comparison
/// (a weak tag never matches), <c>If-None-Match</c> by weak comparison; <c>*</c> matches when a current
/// representation exists. <c>If-Modified-Since</c> and <c>If-Unmodified-Since</c> are not evaluated: answers carry
/// no <c>Last-Modified</c>, so the ETag is the only validator.
/// </summary>
internal sealed class HandlePreconditions
{
    /// <summary>The reason id of a precondition that failed (HTTP 412, Handle code 2).</summary>
    public const string PreconditionFailedReason = "precondition-failed";

    private readonly IList<EntityTagHeaderValue>? _ifMatch;
    private readonly IList<EntityTagHeaderValue>? _ifNoneMatch;

    private HandlePreconditions(IList<EntityTagHeaderValue>? ifMatch, IList<EntityTagHeaderValue>? ifNoneMatch)
    {
        _ifMatch = ifMatch;
        _ifNoneMatch = ifNoneMatch;
    }

    /// <summary>The request's preconditions.</summary>
    /// <exception cref="ResolverException">INVALID_ARGUMENT <c>invalid-request</c> when a header is not <c>*</c> or a list of entity tags.</exception>
    public static HandlePreconditions Of(HttpRequest request) => new(
        Parse(request.Headers.IfMatch, HeaderNames.IfMatch),
        Parse(request.Headers.IfNoneMatch, HeaderNames.IfNoneMatch));

    /// <summary>
    /// For a write (PUT, DELETE), the condition <see cref="Core.Registry.RecordWriter"/> checks on the record it finds: false
    /// <c>If-Match</c> or false <c>If-None-Match</c> is ABORTED <c>precondition-failed</c> (HTTP 412: RFC 9110 §13.2.2
    /// steps 1 and 3, for methods other than GET and HEAD). The writer is the owner or the admin, who see every value, so
    /// the current ETag is that of the whole record, as their GET without filters gives it. Null without preconditions.
    /// </summary>
    /// <param name="handle">The handle, for the message.</param>
    public WritePrecondition? ForWrite(string handle)
    {
        if (_ifMatch is null && _ifNoneMatch is null)
        {
            return null;
        }

        return live =>
        {
            var current = live is null ? null : HandleReads.ETag(live.Version, live.Values, HandleAdminValues.ShownToWriter(live.Values));
            if (IfMatchFails(handle, current) is { } failed)
            {
                return failed;
            }

            if (_ifNoneMatch is not null && Matches(_ifNoneMatch, current, strong: false))
            {
                return Failed(_ifNoneMatch.Any(t => t.Tag == "*")
                    ? $"If-None-Match: * and handle {handle} exists (ETag {current}); without If-None-Match it would have been overwritten"
                    : $"If-None-Match names handle {handle}'s current ETag {current}");
            }

            return null;
        };
    }

    /// <summary>
    /// For a GET or HEAD that found the record: throws when <c>If-Match</c> is false (412); true when
    /// <c>If-None-Match</c> is false, i.e. the client's copy is current and the answer is 304 Not Modified.
    /// </summary>
    /// <param name="handle">The handle, for the message.</param>
    /// <param name="current">The ETag of the answer the GET would give.</param>
    /// <exception cref="ResolverException">ABORTED <c>precondition-failed</c> (HTTP 412).</exception>
    public bool IsNotModified(string handle, string current)
    {
        if (IfMatchFails(handle, current) is { } failed)
        {
            throw new ResolverException(failed);
        }

        return _ifNoneMatch is not null && Matches(_ifNoneMatch, current, strong: false);
    }

    private Problem? IfMatchFails(string handle, string? current)
    {
        if (_ifMatch is null || Matches(_ifMatch, current, strong: true))
        {
            return null;
        }

        return Failed(current is null
            ? $"If-Match requires handle {handle} to exist, and it does not (never registered, or deleted)"
            : $"If-Match {string.Join(", ", _ifMatch)} does not match handle {handle}'s current ETag {current}: it changed since, or the tag is weak (W/) "
              + "or from an answer with other credentials or filters; GET it again with the same credentials and no type or index");
    }

    // RFC 9110 §13.1.1/§13.1.2: "*" matches any current representation; otherwise one of the tags matches the current one.
    private static bool Matches(IList<EntityTagHeaderValue> tags, string? current, bool strong)
    {
        if (current is null)
        {
            return false;
        }

        var currentTag = EntityTagHeaderValue.Parse(current);
        return tags.Any(tag => tag.Tag == "*" || tag.Compare(currentTag, useStrongComparison: strong));
    }

    private static IList<EntityTagHeaderValue>? Parse(Microsoft.Extensions.Primitives.StringValues header, string name)
    {
        if (header.Count == 0)
        {
            return null;
        }

        if (!EntityTagHeaderValue.TryParseStrictList(header, out var tags) || tags.Count == 0 || (tags.Count > 1 && tags.Any(t => t.Tag == "*")))
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, HandleCodes.InvalidRequestReason,
                $"{name} must be * or a list of entity tags as this server gives them in ETag, e.g. \"3-1a2b3c4d\" with the quotes (RFC 9110 §8.8.3)"));
        }

        return tags;
    }

    private static Problem Failed(string message) => new(ErrorKind.Aborted, PreconditionFailedReason, message);
}
