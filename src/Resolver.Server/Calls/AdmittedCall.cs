using System.Net;
using Resolver.Core.Security;
using Resolver.Core.Storage;
using Resolver.Server.Security;

namespace Resolver.Server.Calls;

/// <summary>
/// One admitted call, whatever wire it came by (<see cref="CallPipeline"/> makes it): who the caller is, how long it may
/// run, how many nodes it has passed, and the rate-limit partition it was counted in. Services read the call, never the
/// wire's own request types.
/// </summary>
public sealed class AdmittedCall(CallRequest request, Credential credential, DateTime? deadline, string? partition)
{
    /// <summary>What the caller's credential proved (anonymous without one).</summary>
    public Credential Credential { get; } = credential;

    /// <summary>The caller.</summary>
    public Caller Caller => Credential.Caller;

    /// <summary>The wire the call came by (<see cref="CallRequest.Wire"/>).</summary>
    public string Wire { get; } = request.Wire;

    /// <summary>The operation's metrics label.</summary>
    public string Method { get; } = request.Method;

    /// <summary>The client's address, when known.</summary>
    public IPAddress? Peer { get; } = request.Peer;

    /// <summary>When the call must be answered: the caller's deadline, or for a unary call <c>--max-request-seconds</c> from its arrival when that is sooner.</summary>
    public DateTime? Deadline { get; } = deadline;

    /// <summary>The nodes the call had passed before this one.</summary>
    public int Hops { get; } = request.Hops;

    /// <summary>The rate-limit partition: the authenticated caller, or <c>address:IP</c>; null with <c>--rate-limit off</c>.</summary>
    public string? Partition { get; } = partition;

    /// <summary>What the resolution chain needs of this call.</summary>
    public ReadContext Read => new(Deadline, Hops);
}
