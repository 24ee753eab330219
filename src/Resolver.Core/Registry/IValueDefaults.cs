using Resolver.Core.Records;
using Resolver.Core.Security;

namespace Resolver.Core.Registry;

/// <summary>
/// Permissions for the values a write gives none, from rules the registry itself does not know, such as the private items
/// of an industry metadata template (SPEC §6a, docs/templates.md). Asked once per batch, before the edit, by
/// <see cref="RecordWriter"/>, so every write path gets them. A value that replaces one of its type keeps that one's
/// permissions, as without defaults; a draft's own permissions always win. One is registered (the templates'); a host
/// with rules of its own registers one that asks both.
/// </summary>
public interface IValueDefaults
{
    /// <summary>
    /// For each of <paramref name="records"/>, in order: the permissions a new value of a type gets when its draft gives
    /// none (null for the registry's own default, Handle's 1110), or a null entry when no rule applies to that record.
    /// </summary>
    /// <exception cref="Errors.ResolverException">UNAVAILABLE when what the rules come from cannot be read: the whole call
    /// fails with nothing written, as for a validator (<see cref="IRecordValidator"/>).</exception>
    ValueTask<IReadOnlyList<Func<string, ValuePermissions?>?>> ForAsync(Caller caller, IReadOnlyList<DraftedRecord> records, CancellationToken cancellationToken);
}

/// <summary>
/// The values a write gives a record, the indexes it removes, and the record the write edits: null when it starts a
/// record afresh (a create, or an upsert, which replaces every value), a tombstone when that record is deleted.
/// </summary>
public sealed record DraftedRecord(IReadOnlyList<ValueDraft> Drafts, IReadOnlyList<int> RemoveIndexes, HandleRecord? Current);
