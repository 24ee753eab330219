using Microsoft.Extensions.Options;
using Resolver.Server.Configuration;

namespace Resolver.Server;

/// <summary>
/// The node's stop, as Kubernetes drives it (SIGTERM, then SIGKILL after the grace period): readiness is
/// NOT_SERVING from the first moment (<see cref="Health.LifecycleHealthCheck"/>), Kestrel refuses new connections
/// and sends GOAWAY, calls in flight get <c>--drain-seconds</c> to finish. Streams cannot know when their client
/// is done, so they are ended one second before that bound with UNAVAILABLE, which a client retries on another replica,
/// instead of being cut without a status.
/// </summary>
internal sealed class Draining : IDisposable
{
    private readonly CancellationTokenSource _streamsEnd = new();
    private readonly CancellationTokenRegistration _onStopping;

    public Draining(IHostApplicationLifetime lifetime, IOptions<OperationsOptions> options)
    {
        var margin = TimeSpan.FromSeconds(Math.Max(0, options.Value.DrainSeconds - 1));
        _onStopping = lifetime.ApplicationStopping.Register(() => _streamsEnd.CancelAfter(margin), useSynchronizationContext: false);
    }

    /// <summary>Cancelled when open streams must end: one second before the drain bound after SIGTERM.</summary>
    public CancellationToken StreamsMustEnd => _streamsEnd.Token;

    /// <summary>The status a stream ends with when the node stops under it.</summary>
    public static Grpc.Core.RpcException ShuttingDown() => new(new Grpc.Core.Status(
        Grpc.Core.StatusCode.Unavailable, "this node is shutting down: open the stream again, another replica will answer (answers already sent stand)"));

    public void Dispose()
    {
        _onStopping.Dispose();
        _streamsEnd.Dispose();
    }
}
