using Resolver.Core.Errors;

namespace Resolver.Core.Security;

/// <summary>
/// Records every write attempt that did not commit (refused, invalid, conflicting) in the audit log;
/// committed record writes are logged by the store in the write's own transaction.
/// </summary>
public sealed class AuditTrail(IAccessStore store, TimeProvider time)
{
    private const int MaxTarget = 256;

    /// <summary>Runs <paramref name="write"/>; if it is refused, logs who tried what and why, then lets the refusal through.</summary>
    public async ValueTask<T> RecordAsync<T>(Caller caller, string operation, string target, Func<ValueTask<T>> write, CancellationToken cancellationToken)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (ResolverException refused) when (refused.Problem.Kind != ErrorKind.Unavailable)
        {
            // An outage is not an attempt that reached a decision; there would be nowhere to write it anyway.
            await LogAsync(caller, operation, target, StatusName(refused.Problem.Kind), cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Logs an administrative change or attempt; the target is escaped and cut (no database takes U+0000, PostgreSQL no broken UTF-16).</summary>
    public ValueTask LogAsync(Caller caller, string operation, string target, string outcome, CancellationToken cancellationToken) =>
        store.AppendAuditAsync(Entry(caller, operation, target, outcome), cancellationToken);

    /// <summary>The entry <see cref="LogAsync"/> would append, for a store that writes it in the change's own transaction.</summary>
    public AuditEntry Entry(Caller caller, string operation, string target, string outcome) =>
        new(0, time.GetUtcNow(), caller.ToString(), operation, EscapedText.Of(target, MaxTarget), null, null, outcome);

    /// <summary>The gRPC name of a failure, e.g. PERMISSION_DENIED.</summary>
    public static string StatusName(ErrorKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant();
}
