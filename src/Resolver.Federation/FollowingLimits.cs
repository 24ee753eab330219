namespace Resolver.Federation;

/// <summary>How far and how long the <see cref="IterativeResolver"/> follows referrals (a node's <c>--max-hops</c> and <c>--site-timeout-ms</c>).</summary>
/// <param name="MaxHops">The most sites one identifier may take to resolve (the answer the caller already had counts as one); past it, the chain is reported as too long.</param>
/// <param name="SiteTimeout">The longest wait for one site; a caller's deadline nearer than that wins.</param>
public sealed record FollowingLimits(int MaxHops, TimeSpan SiteTimeout);
