using Grpc.Core;
using Resolver.Core.Errors;
using Resolver.Core.Resolution;

namespace Resolver.Server.Federation;

/// <summary>
/// What a resolution call carries from node to node: its deadline (what is left of it goes to every site asked) and
/// how many nodes it has passed (<see cref="Header"/>), which the node adds its own hops to when it asks further: a
/// call that arrives past <c>--max-hops</c> is refused FAILED_PRECONDITION, so a loop between recursive nodes ends
/// instead of circling until its deadline.
/// </summary>
internal static class Hops
{
    /// <summary>Request header carrying how many nodes a query has passed through.</summary>
    public const string Header = "resolver-hops";

    private static readonly AsyncLocal<int> Passed = new();

    /// <summary>The nodes the current call had passed before it reached this one (0 for a caller's own call).</summary>
    public static int Incoming => Passed.Value;

    /// <summary>Takes the call's deadline and hop count into the resolution that follows; refuses a call past the hop limit.</summary>
    public static void Enter(ServerCallContext context, Recursion recursion)
    {
        ResolutionDeadline.Set(context.Deadline);
        // From the HTTP headers themselves: context.RequestHeaders would copy every header of every call into gRPC metadata.
        var hops = context.GetHttpContext().Request.Headers[Header] is { Count: > 0 } values && int.TryParse(values[^1], System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? Math.Max(0, parsed) : 0;
        if (hops > recursion.MaxHops)
        {
            throw new ResolverException(new Problem(ErrorKind.FailedPrecondition, Reasons.DelegationChainTooLong,
                $"this request has passed {hops} nodes, more than --max-hops {recursion.MaxHops}: a delegation loop between recursive nodes?"));
        }

        if (hops > 0)
        {
            Passed.Value = hops; // each call starts at 0; setting it anyway would copy the execution context on every call
        }
    }
}
