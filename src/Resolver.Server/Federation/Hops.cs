using Grpc.Core;
using Resolver.Core.Errors;
using Resolver.Core.Resolution;

namespace Resolver.Server.Federation;

/// <summary>
/// What a resolution call carries from node to node: its deadline (what is left of it goes to every site asked) and
/// how many sites it has passed (<see cref="SiteRecordSource.HopsHeader"/>): a call that arrives past <c>--max-hops</c>
/// is refused FAILED_PRECONDITION, so a loop between recursive nodes ends instead of circling until its deadline.
/// </summary>
internal static class Hops
{
    public static void Enter(ServerCallContext context, Recursion recursion)
    {
        ResolutionDeadline.Set(context.Deadline);
        if (context.RequestHeaders.GetValue(SiteRecordSource.HopsHeader) is { } value &&
            int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var hops) && hops > recursion.MaxHops)
        {
            throw new ResolverException(new Problem(ErrorKind.FailedPrecondition, Reasons.DelegationChainTooLong,
                $"this request has passed {hops} nodes, more than --max-hops {recursion.MaxHops}: a delegation loop between recursive nodes?"));
        }
    }
}
