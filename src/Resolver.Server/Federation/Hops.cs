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
}
