using ResolveResult = Resolver.Protocol.V1.ResolveResult;

namespace Resolver.Federation;

/// <summary>What one site endpoint did with a <see cref="SiteAsk"/>: answered every question, or failed as a whole.</summary>
/// <param name="Answers">One answer per question, in order, as the site sent them (unchecked); null on failure.</param>
/// <param name="Failure">Why there are no answers; null when answered.</param>
public sealed record SiteReply(IReadOnlyList<ResolveResult>? Answers, SiteFailure? Failure)
{
    /// <summary>The site answered every question.</summary>
    public static SiteReply Answered(IReadOnlyList<ResolveResult> answers) => new(answers, null);

    /// <summary>The site did not answer.</summary>
    public static SiteReply Failed(SiteFailure failure) => new(null, failure);
}
