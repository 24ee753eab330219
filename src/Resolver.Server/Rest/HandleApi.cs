using Microsoft.AspNetCore.Http.Timeouts;
using Resolver.Server.Api;

namespace Resolver.Server.Rest;

/// <summary>
/// Handle.Net's REST API at <c>/api/handles/{prefix}/{suffix}</c> (docs/rest.md): GET resolves, PUT creates or replaces,
/// DELETE deletes. The routes sit behind the same authentication, per-caller rate limit and request timeout as gRPC.
/// </summary>
internal static class HandleApi
{
    /// <summary>Maps the three routes, named for metrics and the OpenAPI description.</summary>
    public static IEndpointRouteBuilder MapHandleApi(this IEndpointRouteBuilder app)
    {
        var handles = app.MapGroup("/api/handles")
            .WithTags("Handle.Net REST API")
            .WithMetadata(ResolverApiEndpoint.Instance, new RequestTimeoutAttribute(UnaryCallTimeouts.Policy));

        // No Accepts(...) on PUT: it would refuse bodies without "Content-Type: application/json" (curl -d sends a form type),
        // which Handle.Net scripts do not always set; the body is read as JSON whatever its declared type.
        // {**handle} only routes: the handle itself is read from the raw path (HandlePath), as the client spelled it.
        handles.MapGet("/{**handle}", HandleReads.GetAsync)
            .WithName("handles.get")
            .RequireCors(CrossOriginReads.Policy)
            .WithSummary("Resolves a handle (Handle.Net JSON); ?type=, ?index=, ?publicOnly, ?pretty, ?auth, ?doNotRefer")
            .Produces<HandleResponse>(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status304NotModified)
            .Produces<HandleResponse>(StatusCodes.Status400BadRequest)
            .Produces<HandleResponse>(StatusCodes.Status404NotFound)
            .Produces<HandleResponse>(StatusCodes.Status412PreconditionFailed);
        handles.MapPut("/{**handle}", HandleWrites.PutAsync)
            .WithName("handles.put")
            .WithSummary("Creates or replaces a handle; ?index= adds or replaces some values; ?overwrite=false refuses existing ones")
            .Produces<HandleResponse>(StatusCodes.Status200OK)
            .Produces<HandleResponse>(StatusCodes.Status201Created)
            .Produces<HandleResponse>(StatusCodes.Status401Unauthorized)
            .Produces<HandleResponse>(StatusCodes.Status403Forbidden)
            .Produces<HandleResponse>(StatusCodes.Status409Conflict)
            .Produces<HandleResponse>(StatusCodes.Status412PreconditionFailed);
        handles.MapDelete("/{**handle}", HandleWrites.DeleteAsync)
            .WithName("handles.delete")
            .WithSummary("Deletes a handle (a tombstone stays); ?index= deletes only those values")
            .Produces<HandleResponse>(StatusCodes.Status200OK)
            .Produces<HandleResponse>(StatusCodes.Status401Unauthorized)
            .Produces<HandleResponse>(StatusCodes.Status403Forbidden)
            .Produces<HandleResponse>(StatusCodes.Status404NotFound)
            .Produces<HandleResponse>(StatusCodes.Status412PreconditionFailed);
        return app;
    }
}
