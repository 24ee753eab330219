using Resolver.Core.Errors;
using Resolver.Core.Records;
using Resolver.Core.Security;

namespace Resolver.Core.Registry;

/// <summary>
/// A check of records about to be committed against rules the registry itself does not know, such as an industry
/// metadata template (SPEC §6a). None is registered by default; each registered one sees every write path, because
/// every write goes through <see cref="RecordWriter"/> (docs/architecture.md, "Writes").
/// </summary>
public interface IRecordValidator
{
    /// <summary>
    /// Judges <paramref name="changes"/>: each record exactly as it would be committed for <paramref name="caller"/> (indexes
    /// assigned, defaults filled, the next version, the write's time), beside the record it replaces. The caller is authenticated and may write under
    /// every record's prefix; the values passed the registry's own limits. A deletion is shown as its tombstone (no values,
    /// <see cref="HandleRecord.IsDeleted"/>); upserts that change nothing are not shown. After a lost compare-and-set a record may be shown again, re-read and re-edited, so a
    /// validator must have no side effects.
    /// </summary>
    /// <returns>
    /// One entry per record, in order: null when it may be written, or the problem that refuses it — that record only;
    /// the rest of the batch goes on. The problem reaches the caller as it is (its kind is the status, e.g.
    /// INVALID_ARGUMENT for a value against the template, FAILED_PRECONDITION for a template version not published; its
    /// message should name the item and the rule, SPEC §6a), and the audit log records the refusal with that status.
    /// </returns>
    /// <exception cref="ResolverException">UNAVAILABLE when what the rules come from cannot be read: the whole call then
    /// fails with nothing more written, and the client retries it. A list of the wrong length is a bug, and fails the call.</exception>
    ValueTask<IReadOnlyList<Problem?>> ValidateAsync(Caller caller, IReadOnlyList<RecordChange> changes, CancellationToken cancellationToken);
}

/// <summary>A record a write would commit, and the one it replaces.</summary>
/// <param name="Before">The record as the write found it: null when there was none, a tombstone when it was deleted.</param>
/// <param name="After">The record as it would be committed.</param>
public sealed record RecordChange(HandleRecord? Before, HandleRecord After);
