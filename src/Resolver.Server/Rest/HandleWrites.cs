using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Core.Records;
using Resolver.Core.Registry;
using Resolver.Server.Configuration;
using Resolver.Server.Security;

namespace Resolver.Server.Rest;

/// <summary>
/// <c>PUT</c> and <c>DELETE /api/handles/{prefix}/{suffix}</c> in Handle.Net's shape, through <see cref="RecordWriter"/>
/// (each write a batch of one): the same ownership checks, validators, audit log and version compare-and-set as the gRPC Registry.
/// </summary>
internal static class HandleWrites
{
    /// <summary>
    /// Creates the handle or replaces its record; with <c>?index=</c>, adds or replaces only those values (<c>index=various</c>:
    /// every value in the body). <c>?overwrite=false</c> refuses an existing handle (101) or value (201). <c>?reuse=true</c>
    /// registers a deleted identifier again. <c>If-Match</c> with a GET's ETag makes the write conditional (412).
    /// </summary>
    public static Task PutAsync(HttpContext context, RecordReader reader, RecordWriter writer, IOptions<LimitOptions> limits) =>
        HandleAnswers.RunAsync(context, "PUT /api/handles", async handle =>
        {
            var caller = context.GetCaller();
            var parameters = HandleQuery.ForPut(context.Request.Query);
            var (overwrite, reuse, onlyIndexes, various) = (parameters.Overwrite, parameters.Reuse, parameters.Indexes, parameters.IndexesOfBody);
            var expectedVersion = IfMatch(context);
            var drafts = HandleValues.FromBody(await ReadBodyAsync(context, limits.Value.MaxMessageBytes).ConfigureAwait(false));
            var ct = context.RequestAborted;

            if (onlyIndexes.Count > 0 || various)
            {
                // Values only: the handle must exist; the body's values at the named indexes are added or replaced.
                var chosen = various ? drafts : [.. drafts.Where(d => onlyIndexes.Contains(d.Index))];
                if (chosen.Count == 0)
                {
                    throw new ResolverException(new Problem(ErrorKind.InvalidArgument, Reasons.InvalidValue, "none of the body's values has an index named by ?index="));
                }

                if (!overwrite)
                {
                    var current = await reader.GetAsync(caller, handle, ct).ConfigureAwait(false);
                    if (current.Values.FirstOrDefault(v => chosen.Any(d => d.Index == v.Index)) is { } taken)
                    {
                        throw new ResolverException(new Problem(ErrorKind.AlreadyExists, HandleCodes.ValueExistsReason, $"handle {current.Identifier} already has a value at index {taken.Index} and overwrite=false"));
                    }

                    // The check holds only for the version it read: a value written meanwhile fails the update instead of being replaced.
                    expectedVersion ??= current.Version;
                }

                var updated = await writer.UpdateAsync(caller, handle, chosen, [], expectedVersion, ct).ConfigureAwait(false);
                await AnswerWrittenAsync(context, StatusCodes.Status200OK, updated).ConfigureAwait(false);
                return;
            }

            var existing = await ExistingOrNullAsync(reader, caller, handle, ct).ConfigureAwait(false);
            if (existing is null)
            {
                var created = await writer.CreateAsync(caller, handle, drafts, reuse, ct).ConfigureAwait(false);
                await AnswerWrittenAsync(context, StatusCodes.Status201Created, created).ConfigureAwait(false);
                return;
            }

            if (!overwrite)
            {
                throw new ResolverException(new Problem(ErrorKind.AlreadyExists, Reasons.IdentifierExists, $"handle {existing.Identifier} already exists and overwrite=false"));
            }

            // Replace the record: the body's values are written, every other value is removed, in one versioned update.
            var named = drafts.Where(d => d.Index > 0).Select(d => d.Index).ToHashSet();
            var remove = existing.Values.Select(v => v.Index).Where(i => !named.Contains(i)).ToArray();
            var replaced = await writer.UpdateAsync(caller, handle, drafts, remove, expectedVersion ?? existing.Version, ct).ConfigureAwait(false);
            await AnswerWrittenAsync(context, StatusCodes.Status200OK, replaced).ConfigureAwait(false);
        });

    /// <summary>Deletes the handle (leaving a tombstone); with <c>?index=</c>, only those values and never more.</summary>
    public static Task DeleteAsync(HttpContext context, RecordWriter writer) =>
        HandleAnswers.RunAsync(context, "DELETE /api/handles", async handle =>
        {
            var caller = context.GetCaller();
            var indexes = HandleQuery.ForDelete(context.Request.Query).Indexes;
            var expectedVersion = IfMatch(context);
            if (indexes.Count > 0)
            {
                var updated = await writer.UpdateAsync(caller, handle, [], indexes, expectedVersion, context.RequestAborted).ConfigureAwait(false);
                await AnswerWrittenAsync(context, StatusCodes.Status200OK, updated).ConfigureAwait(false);
                return;
            }

            var tombstone = await writer.DeleteAsync(caller, handle, expectedVersion, context.RequestAborted).ConfigureAwait(false);
            await HandleAnswers.WriteAsync(context, StatusCodes.Status200OK, new HandleResponse(HandleCodes.Success, tombstone.Identifier)).ConfigureAwait(false);
        });

    // The live record the caller may see, or null when there is none to replace (never registered, deleted, or under a
    // prefix not homed here: creating it then says so, as Handle's "server not responsible").
    private static async Task<HandleRecord?> ExistingOrNullAsync(RecordReader reader, Core.Security.Caller caller, string handle, CancellationToken ct)
    {
        try
        {
            return await reader.GetAsync(caller, handle, ct).ConfigureAwait(false);
        }
        catch (ResolverException exception) when (exception.Problem.Reason is Reasons.IdentifierNotFound or Reasons.IdentifierDeleted or Reasons.PrefixNotHomed)
        {
            return null;
        }
    }

    private static Task AnswerWrittenAsync(HttpContext context, int status, HandleRecord record)
    {
        context.Response.Headers.ETag = HandleReads.ETag(record.Version, record.Values);
        return HandleAnswers.WriteAsync(context, status, new HandleResponse(HandleCodes.Success, record.Identifier));
    }

    private static long? IfMatch(HttpContext context)
    {
        var header = context.Request.Headers.IfMatch.ToString();
        if (header.Length == 0 || header == "*")
        {
            return null;
        }

        return HandleReads.VersionOf(header.Split(',')[0])
            ?? throw new ResolverException(new Problem(ErrorKind.InvalidArgument, HandleCodes.InvalidRequestReason, "If-Match must be an ETag this server gave (e.g. \"3-1a2b3c4d\")"));
    }

    private static async Task<JsonElement> ReadBodyAsync(HttpContext context, int maxBytes)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = maxBytes;
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            return document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, HandleCodes.InvalidRequestReason, $"the body is not JSON ({exception.Message})"));
        }
    }
}
