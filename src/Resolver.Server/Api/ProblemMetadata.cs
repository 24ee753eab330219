namespace Resolver.Server.Api;

/// <summary>The trailer that carries a failed call's <c>resolver.v1.Problem</c>, for clients that want the reason id.</summary>
public static class ProblemMetadata
{
    /// <summary>Binary trailer holding a serialized <c>resolver.v1.Problem</c>.</summary>
    public const string TrailerKey = "resolver-problem-bin";
}
