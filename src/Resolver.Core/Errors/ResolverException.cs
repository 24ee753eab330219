namespace Resolver.Core.Errors;

/// <summary>A failure the caller caused or can act on; the server turns it into a gRPC status.</summary>
public sealed class ResolverException : Exception
{
    public ResolverException(Problem problem)
        : base(problem.Message) => Problem = problem;

    /// <summary>A failure caused by <paramref name="innerException"/>, which the edge logs; callers see only <paramref name="problem"/>.</summary>
    public ResolverException(Problem problem, Exception innerException)
        : base(problem.Message, innerException) => Problem = problem;

    /// <summary>What went wrong, for people and machines.</summary>
    public Problem Problem { get; }
}
