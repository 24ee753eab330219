using Resolver.Core.Records;

namespace Resolver.Federation;

/// <summary>One call to one site endpoint: which identifiers, by when, after how many nodes, with which credential.</summary>
/// <param name="Endpoint">The endpoint asked, <c>scheme://host:port</c> as a delegation or referral names it.</param>
/// <param name="Questions">The identifiers asked (canonical keys), each with the values wanted; at most <see cref="IterativeResolver.SiteBatch"/>.</param>
/// <param name="Deadline">When the site must have answered, UTC; the protocol sends it on where it can (gRPC: <c>grpc-timeout</c>).</param>
/// <param name="Hops">The nodes the resolution has passed, this call included: the site refuses past its <c>--max-hops</c>.</param>
/// <param name="Credential">A bearer token to present, or null to ask anonymously; the caller decides where it may go.</param>
public sealed record SiteAsk(string Endpoint, IReadOnlyList<SiteQuestion> Questions, DateTime Deadline, int Hops, string? Credential);

/// <summary>One identifier asked of a site, with the values wanted (all of them for a node that caches the whole record).</summary>
/// <param name="Key">The identifier's canonical key.</param>
/// <param name="Filter">The value types and indexes wanted.</param>
public sealed record SiteQuestion(string Key, ValueFilter Filter);
