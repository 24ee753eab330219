using System.Collections.Concurrent;
using Resolver.Core.Errors;
using Resolver.Core.Security;

namespace Resolver.Server.Security;

/// <summary>
/// The audit of refused credentials, counted instead of written one row per attempt: a flood of bogus tokens
/// costs memory for at most <see cref="MaxSources"/> (method, address) pairs and one audit row per pair per
/// <see cref="FlushInterval"/>, never a store write per attempt. Rows read "(invalid credential ×N from ADDRESS)",
/// actor <c>anonymous</c>, outcome <c>UNAUTHENTICATED</c>; they are written every interval, before the audit log
/// is read, and at shutdown.
/// </summary>
internal sealed partial class RefusedCredentialAudit(AuditTrail audit, TimeProvider time, ILogger<RefusedCredentialAudit> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>How often pending counts become audit rows.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(10);

    /// <summary>Most distinct (method, address) pairs counted between flushes; the rest are counted together.</summary>
    public const int MaxSources = 1000;

    /// <summary>How long the flush at shutdown may take, whatever time the drain left.</summary>
    public static readonly TimeSpan ShutdownFlushBound = TimeSpan.FromSeconds(3);

    private const string Overflow = "(other sources)";

    private readonly ConcurrentDictionary<(string Method, string Source), long> _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private ITimer? _timer;

    /// <summary>Counts one refused credential presented to <paramref name="method"/> from <paramref name="source"/>.</summary>
    public void Note(string method, string source)
    {
        var key = _pending.Count < MaxSources || _pending.ContainsKey((method, source)) ? (method, source) : (Overflow, Overflow);
        _pending.AddOrUpdate(key, 1, (_, count) => count + 1);
    }

    /// <summary>Writes what was counted so far as audit rows.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var key in _pending.Keys)
            {
                if (!_pending.TryRemove(key, out var count))
                {
                    continue;
                }

                try
                {
                    await audit.LogAsync(Caller.Anonymous, key.Method, $"(invalid credential ×{count} from {key.Source})", AuditTrail.StatusName(ErrorKind.Unauthenticated), cancellationToken).ConfigureAwait(false);
                }
                catch (ResolverException exception) when (exception.Problem.Kind == ErrorKind.Unavailable)
                {
                    // The store is down: keep the count for the next flush.
                    _pending.AddOrUpdate(key, count, (_, held) => held + count);
                    LogFlushFailed(logger, exception.Message);
                    return;
                }
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = time.CreateTimer(_ => _ = FlushInBackgroundAsync(), null, FlushInterval, FlushInterval);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The last flush. It does not take the host's stop token: when a drain used all its time that token is already
    /// cancelled, and a flush that honoured it would lose the counts (and, thrown out of the host's stop, crash the
    /// process). It gets <see cref="ShutdownFlushBound"/> of its own instead, and a failure is logged, never thrown.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        using var bound = new CancellationTokenSource(ShutdownFlushBound, time);
        try
        {
            await FlushAsync(bound.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ResolverException or OperationCanceledException or ObjectDisposedException)
        {
            LogFlushFailed(logger, exception.Message);
        }
    }

    private async Task FlushInBackgroundAsync()
    {
        try
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is ResolverException or ObjectDisposedException)
        {
            LogFlushFailed(logger, exception.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        _flushing.Dispose();
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Could not write refused credentials to the audit log ({Reason}); kept for the next flush")]
    private static partial void LogFlushFailed(ILogger logger, string reason);
}
