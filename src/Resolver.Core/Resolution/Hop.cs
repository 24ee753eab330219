namespace Resolver.Core.Resolution;

/// <summary>One node consulted while resolving an identifier (the answer's trace, SPEC §4).</summary>
/// <param name="Endpoint">The node's gRPC endpoint; empty for the node answering the caller.</param>
/// <param name="Prefix">The prefix the node was asked about (the delegation it is the site of).</param>
/// <param name="Code">What the node answered, as a gRPC status code number (0: a record or a referral).</param>
/// <param name="Cached">True when the answer came from this node's caches instead of the node itself.</param>
/// <param name="Elapsed">How long the node took to answer.</param>
public sealed record Hop(string Endpoint, string Prefix, int Code, bool Cached, TimeSpan Elapsed);
