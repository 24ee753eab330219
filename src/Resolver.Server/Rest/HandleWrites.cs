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
    /// registers a deleted identifier again. <c>If-Match</c> (a GET's strong ETag, or <c>*</c>: the handle must exist) and
    /// <c>If-None-Match</c> (<c>*</c>: it must not) make the write conditional: 412 when they fail (RFC 9110 §13.1).
    /// </summary>
    public static Task PutAsync(HttpContext context, RecordReader reader, RecordWriter writer, IOptions<LimitOptions> limits) =>
        HandleAnswers.RunAsync(context, "PUT /api/handles", async handle =>
        {
            var caller = context.GetCaller();
            var parameters = HandleQuery.ForPut(context.Request.Query);
            var precondition = HandlePreconditions.Of(context.Request).ForWrite(handle);
            var (drafts, admins) = HandleValues.FromBody(await ReadBodyAsync(context, limits.Value.MaxMessageBytes).ConfigureAwait(false));
            HandleAdminValues.Check(handle, admins); // accepted when it names this prefix's admin handle, and not stored: it is derived
            var ct = context.RequestAborted;

            // Which write this is (create, replace, values only) is decided on this read; the writer then checks the
            // preconditions against the record its compare-and-set is made on, after the caller's right to write.
            var existing = await ExistingOrNullAsync(reader, caller, handle, ct).ConfigureAwait(false);
            if (parameters.Indexes.Count > 0 || parameters.IndexesOfBody)
            {
                // Values only: the handle must exist; the body's values at the named indexes are added or replaced.
                var chosen = parameters.IndexesOfBody ? drafts : [.. drafts.Where(d => parameters.Indexes.Contains(d.Index))];
                if (chosen.Count == 0)
                {
                    throw new ResolverException(new Problem(ErrorKind.InvalidArgument, Reasons.InvalidValue, admins.Count > 0
                        ? $"none of the body's values other than {HandleAdminValues.Type} has an index named by ?index=: {HandleAdminValues.Type} is derived from the prefix's owner and is not written (docs/rest.md)"
                        : "none of the body's values has an index named by ?index="));
                }

                // overwrite=false is the writer's to check, after the caller's right to write (403 before 409) and on the
                // version it commits on, so a value written meanwhile is not replaced.
                var updated = await writer.WriteOneAsync(caller, new UpdateRequest(handle, chosen, [], ExpectedVersion: null) { Precondition = precondition, KeepExistingValues = !parameters.Overwrite }, ct).ConfigureAwait(false);
                await AnswerWrittenAsync(context, StatusCodes.Status200OK, updated).ConfigureAwait(false);
                return;
            }

            // overwrite=false is a create: the writer refuses an existing handle (101), after the caller's right to write.
            if (existing is null || !parameters.Overwrite)
            {
                var created = await writer.WriteOneAsync(caller, new CreateRequest(handle, drafts, parameters.Reuse) { Precondition = precondition }, ct).ConfigureAwait(false);
                await AnswerWrittenAsync(context, StatusCodes.Status201Created, created).ConfigureAwait(false);
                return;
            }

            // Replace the record: the body's values are written, every other value is removed, in one update on the version read.
            var named = drafts.Where(d => d.Index > 0).Select(d => d.Index).ToHashSet();
            var remove = existing.Values.Select(v => v.Index).Where(i => !named.Contains(i)).ToArray();
            var replaced = await writer.WriteOneAsync(caller, new UpdateRequest(handle, drafts, remove, existing.Version) { Precondition = precondition }, ct).ConfigureAwait(false);
            await AnswerWrittenAsync(context, StatusCodes.Status200OK, replaced).ConfigureAwait(false);
        });

    /// <summary>
    /// Deletes the handle (leaving a tombstone); with <c>?index=</c>, only those values and never more. <c>If-Match</c> and
    /// <c>If-None-Match</c> as for PUT (a handle that is not there is 404 with or without them: RFC 9110 §13.2.1).
    /// </summary>
    public static Task DeleteAsync(HttpContext context, RecordWriter writer) =>
        HandleAnswers.RunAsync(context, "DELETE /api/handles", async handle =>
        {
            var caller = context.GetCaller();
            var parameters = HandleQuery.ForDelete(context.Request.Query);
            var precondition = HandlePreconditions.Of(context.Request).ForWrite(handle);
            if (parameters.Indexes.Count > 0)
            {
                var updated = await writer.WriteOneAsync(caller, new UpdateRequest(handle, [], parameters.Indexes, ExpectedVersion: null) { Precondition = precondition }, context.RequestAborted).ConfigureAwait(false);
                await AnswerWrittenAsync(context, StatusCodes.Status200OK, updated).ConfigureAwait(false);
                return;
            }

            var tombstone = await writer.WriteOneAsync(caller, new DeleteRequest(handle, ExpectedVersion: null) { Precondition = precondition }, context.RequestAborted).ConfigureAwait(false);
            await HandleAnswers.WriteAsync(context, StatusCodes.Status200OK, new HandleResponse(HandleCodes.Success, tombstone.Identifier)).ConfigureAwait(false);
        });

    // The live record the caller may see, or null when there is none to replace (never registered, deleted, or under a
    // prefix not homed here: creating it then says so, as Handle's "server not responsible"), or when the caller may not
    // read it (no credentials, a malformed handle): the writer then refuses the write itself, and audits it, as it does
    // every refused attempt (issue 25 item 15), instead of this read refusing it unaudited.
    private static async Task<HandleRecord?> ExistingOrNullAsync(RecordReader reader, Core.Security.Caller caller, string handle, CancellationToken ct)
    {
        try
        {
            return await reader.GetAsync(caller, handle, ct).ConfigureAwait(false);
        }
        catch (ResolverException exception) when (exception.Problem.Reason is Reasons.IdentifierNotFound or Reasons.IdentifierDeleted or Reasons.PrefixNotHomed
                                                   || exception.Problem.Kind is ErrorKind.Unauthenticated or ErrorKind.InvalidArgument)
        {
            return null;
        }
    }

    private static Task AnswerWrittenAsync(HttpContext context, int status, HandleRecord record)
    {
        context.Response.Headers.ETag = HandleReads.ETag(record.Version, record.Values, HandleAdminValues.ShownToWriter(record.Values));
        return HandleAnswers.WriteAsync(context, status, new HandleResponse(HandleCodes.Success, record.Identifier));
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
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, HandleCodes.InvalidRequestReason, $"the body is not JSON: {JsonProblem.Describe(exception)}"));
        }
    }
}
