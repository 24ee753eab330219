using Grpc.Core;
using Resolver.Core.Storage;

namespace Resolver.Server.Federation;

/// <summary>
/// What a resolution call carries from node to node: its deadline (what is left of it goes to every site asked) and
/// how many nodes it has passed (<see cref="Header"/>), which the node adds its own hops to when it asks further. The
/// resolution path refuses a call past <c>--max-hops</c> (FAILED_PRECONDITION), so a loop between recursive nodes ends
/// instead of circling until its deadline.
/// </summary>
internal static class Hops
{
    /// <summary>Request header carrying how many nodes a query has passed through.</summary>
    public const string Header = Resolver.Federation.GrpcSiteClient.HopsHeader;

    /// <summary>The call's deadline and the hops it had passed before it reached this node (0 for a caller's own call).</summary>
    public static ReadContext ReadContextOf(ServerCallContext context)
    {
        // From the HTTP headers themselves: context.RequestHeaders would copy every header of every call into gRPC metadata.
        var hops = context.GetHttpContext().Request.Headers[Header] is { Count: > 0 } values && int.TryParse(values[^1], System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? Math.Max(0, parsed) : 0;
        return new ReadContext(ReadContext.DeadlineOf(context.Deadline), hops);
    }
}
