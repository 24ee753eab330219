using System.Net;

namespace Resolver.Server.Calls;

/// <summary>
/// What a listener read off its wire about one call, before anything is checked: the input of <see cref="CallPipeline"/>.
/// Every wire (gRPC, JSON transcoding, the Handle REST API, the Handle protocol, a test wire) fills the same fields.
/// </summary>
/// <param name="Wire">The wire's name for metrics and logs, e.g. <c>grpc</c>, <c>json</c>, <c>rest</c>.</param>
/// <param name="Method">The operation as metrics label it, e.g. <c>resolver.v1.Resolution/Resolve</c> or <c>handles.get</c>.</param>
/// <param name="Authorization">The credential as sent (<c>Bearer …</c>), or null for an anonymous call.</param>
/// <param name="Peer">The client's address, which rate-limits anonymous callers and refused credentials; null when unknown.</param>
/// <param name="Deadline">The caller's deadline in UTC, or null when it set none.</param>
/// <param name="Hops">The nodes the call had passed before this one (the <c>resolver-hops</c> header; 0 for a caller's own call).</param>
/// <param name="Unary">One request, one answer: bounded by <c>--max-request-seconds</c>. Streams are not.</param>
public readonly record struct CallRequest(string Wire, string Method, string? Authorization, IPAddress? Peer, DateTime? Deadline, int Hops, bool Unary);
