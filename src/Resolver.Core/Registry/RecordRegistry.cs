using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Resolution;
using Resolver.Core.Security;
using Resolver.Core.Storage;

namespace Resolver.Core.Registry;

/// <summary>
/// Creates, updates, deletes and reads records under the prefixes this node homes. Every write is a
/// compare-and-set on the record version: a concurrent writer never overwrites another's change.
/// </summary>
public sealed class RecordRegistry(
    IdentifierParser parser,
    PrefixDirectory prefixes,
    IRecordStore store,
    ValueEditor editor,
    IChangeNotifier changes,
    AccessDirectory access,
    AuditTrail audit,
    ResolverLimits limits,
    TimeProvider time)
{
    /// <summary>Page size when the caller gives none.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>Largest page a caller may ask for.</summary>
    public const int MaxPageSize = 1000;

    // Without an expected version a lost compare-and-set is retried from a fresh read, after a short
    // random pause so that racing writers spread out; this many times before ABORTED.
    private const int WriteAttempts = 20;

    /// <summary>Registers <paramref name="identifier"/>; a deleted one only with <paramref name="reuseDeleted"/>.</summary>
    public ValueTask<HandleRecord> CreateAsync(Caller caller, string identifier, IReadOnlyList<ValueDraft> values, bool reuseDeleted, CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, "create", identifier, () => CreateCoreAsync(caller, identifier, values, reuseDeleted, cancellationToken), cancellationToken);

    private async ValueTask<HandleRecord> CreateCoreAsync(Caller caller, string identifier, IReadOnlyList<ValueDraft> values, bool reuseDeleted, CancellationToken cancellationToken)
    {
        var id = await ParseWritableAsync(caller, identifier, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < WriteAttempts; attempt++)
        {
            var current = await store.GetAsync(id.Key, cancellationToken).ConfigureAwait(false);
            if (current is { IsDeleted: false })
            {
                throw Fail(ErrorKind.AlreadyExists, Reasons.IdentifierExists, $"identifier {current.Identifier} is already registered (version {current.Version}); use update to change it", id);
            }

            if (current is { IsDeleted: true } && !reuseDeleted)
            {
                throw Fail(ErrorKind.AlreadyExists, Reasons.ReuseRequired, $"identifier {current.Identifier} was deleted at {current.DeletedAt:yyyy-MM-ddTHH:mm:ssZ}; identifiers are not recycled silently: register it again with reuse (CLI: --reuse)", id);
            }

            var now = Now();
            var next = new HandleRecord(id.Key, id.Text, (current?.Version ?? 0) + 1, editor.Create(values, now), now, now);
            editor.EnsureFitsAnAnswer(next.Identifier, next.Values);
            if (await store.TryWriteAsync(next, current?.Version, ChangeOperation.Create, caller.ToString(), cancellationToken).ConfigureAwait(false))
            {
                await changes.RecordCommittedAsync(next, cancellationToken).ConfigureAwait(false);
                return next;
            }

            await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
        }

        throw Contention(id);
    }

    /// <summary>Changes the values of a live record; with <paramref name="expectedVersion"/>, only if it still has that version.</summary>
    public ValueTask<HandleRecord> UpdateAsync(
        Caller caller,
        string identifier,
        IReadOnlyList<ValueDraft> values,
        IReadOnlyList<int> removeIndexes,
        long? expectedVersion,
        CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, "update", identifier, () => UpdateCoreAsync(caller, identifier, values, removeIndexes, expectedVersion, cancellationToken), cancellationToken);

    private async ValueTask<HandleRecord> UpdateCoreAsync(
        Caller caller,
        string identifier,
        IReadOnlyList<ValueDraft> values,
        IReadOnlyList<int> removeIndexes,
        long? expectedVersion,
        CancellationToken cancellationToken)
    {
        if (values.Count == 0 && removeIndexes.Count == 0)
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, Reasons.InvalidValue, "nothing to change: give values to add or replace, or indexes to remove"));
        }

        var id = await ParseWritableAsync(caller, identifier, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < WriteAttempts; attempt++)
        {
            var current = await GetLiveAsync(id, expectedVersion, cancellationToken).ConfigureAwait(false);
            var now = Now();
            var next = current with
            {
                Version = current.Version + 1,
                Values = editor.Update(current.Values, values, removeIndexes, now),
                UpdatedAt = now,
            };
            editor.EnsureFitsAnAnswer(next.Identifier, next.Values);
            if (await store.TryWriteAsync(next, current.Version, ChangeOperation.Update, caller.ToString(), cancellationToken).ConfigureAwait(false))
            {
                await changes.RecordCommittedAsync(next, cancellationToken).ConfigureAwait(false);
                return next;
            }

            await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
        }

        throw Contention(id);
    }

    /// <summary>Deletes a live record, leaving a tombstone; returns the tombstone.</summary>
    public ValueTask<HandleRecord> DeleteAsync(Caller caller, string identifier, long? expectedVersion, CancellationToken cancellationToken) =>
        audit.RecordAsync(caller, "delete", identifier, () => DeleteCoreAsync(caller, identifier, expectedVersion, cancellationToken), cancellationToken);

    private async ValueTask<HandleRecord> DeleteCoreAsync(Caller caller, string identifier, long? expectedVersion, CancellationToken cancellationToken)
    {
        var id = await ParseWritableAsync(caller, identifier, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; attempt < WriteAttempts; attempt++)
        {
            var current = await GetLiveAsync(id, expectedVersion, cancellationToken).ConfigureAwait(false);
            var now = Now();
            var tombstone = current with { Version = current.Version + 1, Values = [], UpdatedAt = now, DeletedAt = now };
            if (await store.TryWriteAsync(tombstone, current.Version, ChangeOperation.Delete, caller.ToString(), cancellationToken).ConfigureAwait(false))
            {
                await changes.RecordCommittedAsync(tombstone, cancellationToken).ConfigureAwait(false);
                return tombstone;
            }

            await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
        }

        throw Contention(id);
    }

    /// <summary>The live record of <paramref name="identifier"/> with the values the caller may see.</summary>
    public async ValueTask<HandleRecord> GetAsync(Caller caller, string identifier, CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAuthenticated(caller, "reading the registry");
        var id = Parse(identifier);
        var table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
        if (table.FindAuthority(id.Prefix) is not { Kind: PrefixKind.Homed })
        {
            throw new ResolverException(ResolutionService.PrefixNotHomed(id));
        }

        var record = await GetLiveAsync(id, expectedVersion: null, cancellationToken).ConfigureAwait(false);
        return record with { Values = AccessPolicy.Visible(caller, record, record.Values, table, await access.GetAsync(cancellationToken).ConfigureAwait(false)) };
    }

    /// <summary>One page of live records under <paramref name="prefix"/>, and the token of the next page (null on the last).</summary>
    public async ValueTask<(IReadOnlyList<HandleRecord> Records, string? NextPageToken)> ListAsync(
        Caller caller, string prefix, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAuthenticated(caller, "listing the registry");
        if (!IdentifierParser.TryParsePrefix(prefix, out var canonical, out var error))
        {
            throw new ResolverException(error.ToProblem("prefix", prefix));
        }

        if (pageSize is < 0 or > MaxPageSize)
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, "invalid-page-size", $"page size {pageSize} is out of range: give 1 to {MaxPageSize} (0 means {DefaultPageSize})"));
        }

        var size = pageSize == 0 ? DefaultPageSize : pageSize;
        var afterKey = PageToken.Decode(pageToken);
        var page = await store.ListAsync(canonical, afterKey, size + 1, cancellationToken).ConfigureAwait(false);
        var table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = await access.GetAsync(cancellationToken).ConfigureAwait(false);
        var visible = new List<HandleRecord>(Math.Min(size, page.Count));
        long bytes = 0;
        foreach (var record in page.Take(size))
        {
            // A page is cut short rather than grow past what a client honouring max_message_bytes can read.
            var answer = record with { Values = AccessPolicy.Visible(caller, record, record.Values, table, snapshot) };
            bytes += RecordSize.UpperBound(answer.Identifier, answer.Values);
            if (visible.Count > 0 && bytes > limits.MaxRecordBytes)
            {
                return (visible, PageToken.Encode(visible[^1].Key));
            }

            visible.Add(answer);
        }

        return (visible, page.Count > size ? PageToken.Encode(page[size - 1].Key) : null);
    }

    /// <summary>
    /// Creates or replaces the records of <paramref name="items"/> (each its identifier's whole set of values), committing
    /// every change in one store transaction; answers each item, in order: created, updated, unchanged (nothing written,
    /// the version stays) or failed with its problem. Each item is checked as a single write would be: grammar, homed
    /// prefix, the caller's write permission, the value limits. An identifier given twice fails the second time.
    /// </summary>
    public async ValueTask<IReadOnlyList<UpsertResult>> UpsertManyAsync(Caller caller, IReadOnlyList<UpsertItem> items, CancellationToken cancellationToken)
    {
        try
        {
            AccessPolicy.RequireAuthenticated(caller, "writing to the registry");
        }
        catch (ResolverException refused)
        {
            await audit.LogAsync(caller, "upsert", items.Count > 0 ? items[0].Identifier : "", AuditTrail.StatusName(refused.Problem.Kind), cancellationToken).ConfigureAwait(false);
            throw;
        }

        var results = new UpsertResult?[items.Count];
        var ids = new Identifier?[items.Count];
        var table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                if (items[i].Malformed is { } malformed)
                {
                    throw new ResolverException(malformed);
                }

                var id = Parse(items[i].Identifier);
                if (table.FindAuthority(id.Prefix) is not { Kind: PrefixKind.Homed })
                {
                    throw Fail(ErrorKind.FailedPrecondition, Reasons.PrefixNotHomed, $"this node is not responsible for prefix {id.Prefix}: home it first (resolver prefix home {id.Prefix}) or write at the node that homes it", id);
                }

                AccessPolicy.RequireWrite(caller, id.Prefix, table);
                if (!seen.Add(id.Key))
                {
                    throw Fail(ErrorKind.InvalidArgument, Reasons.InvalidValue, $"identifier {id} is given twice in one upsert; give each record once, with all its values", id);
                }

                ids[i] = id;
            }
            catch (ResolverException refused)
            {
                results[i] = await RefuseAsync(caller, items[i].Identifier, refused.Problem, cancellationToken).ConfigureAwait(false);
            }
        }

        var pending = Enumerable.Range(0, items.Count).Where(i => ids[i] is not null).ToList();
        for (var attempt = 0; attempt < WriteAttempts && pending.Count > 0; attempt++)
        {
            var currents = await store.GetManyAsync([.. pending.Select(i => ids[i]!.Key)], cancellationToken).ConfigureAwait(false);
            var now = Now();
            var writes = new List<(int Item, RecordWrite Write)>(pending.Count);
            for (var p = 0; p < pending.Count; p++)
            {
                var i = pending[p];
                try
                {
                    var (next, operation) = Upserted(ids[i]!, currents[p], items[i], now);
                    if (next is null)
                    {
                        results[i] = new UpsertResult(items[i].Identifier, UpsertOutcome.Unchanged, currents[p]!.Version, null);
                    }
                    else
                    {
                        writes.Add((i, new RecordWrite(next, currents[p]?.Version, operation)));
                    }
                }
                catch (ResolverException refused)
                {
                    results[i] = await RefuseAsync(caller, items[i].Identifier, refused.Problem, cancellationToken).ConfigureAwait(false);
                }
            }

            if (writes.Count == 0)
            {
                break;
            }

            var stored = await store.TryWriteManyAsync([.. writes.Select(w => w.Write)], caller.ToString(), cancellationToken).ConfigureAwait(false);
            pending.Clear();
            for (var w = 0; w < writes.Count; w++)
            {
                var (i, write) = writes[w];
                if (stored[w])
                {
                    await changes.RecordCommittedAsync(write.Record, cancellationToken).ConfigureAwait(false);
                    results[i] = new UpsertResult(items[i].Identifier, write.Operation == ChangeOperation.Create ? UpsertOutcome.Created : UpsertOutcome.Updated, write.Record.Version, null);
                }
                else
                {
                    pending.Add(i); // another writer got there first: read it again and decide again
                }
            }

            if (pending.Count > 0)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var i in pending.Where(i => results[i] is null))
        {
            results[i] = await RefuseAsync(caller, items[i].Identifier, Contention(ids[i]!).Problem, cancellationToken).ConfigureAwait(false);
        }

        return results!;
    }

    // The record an upsert makes of `current`, or null when it already has exactly these values.
    private (HandleRecord? Next, ChangeOperation Operation) Upserted(Identifier id, HandleRecord? current, UpsertItem item, DateTimeOffset now)
    {
        if (current is { IsDeleted: true } && !item.ReuseDeleted)
        {
            throw Fail(ErrorKind.AlreadyExists, Reasons.ReuseRequired, $"identifier {current.Identifier} was deleted at {current.DeletedAt:yyyy-MM-ddTHH:mm:ssZ}; identifiers are not recycled silently: upsert it with reuse_deleted (CLI: import --reuse)", id);
        }

        var values = editor.Create(item.Values, now);
        editor.EnsureFitsAnAnswer(id.Text, values);
        if (current is null or { IsDeleted: true })
        {
            return (new HandleRecord(id.Key, id.Text, (current?.Version ?? 0) + 1, values, now, now), ChangeOperation.Create);
        }

        // A value that did not change keeps its timestamp; a record none of whose values changed is not written at all.
        var byIndex = current.Values.ToDictionary(v => v.Index);
        var kept = values.Select(v => byIndex.TryGetValue(v.Index, out var old) && SameValue(old, v) ? old : v).ToList();
        if (kept.Count == current.Values.Count && kept.Zip(current.Values).All(pair => ReferenceEquals(pair.First, pair.Second)) &&
            string.Equals(current.Identifier, id.Text, StringComparison.Ordinal))
        {
            return (null, ChangeOperation.Update);
        }

        return (current with { Identifier = id.Text, Version = current.Version + 1, Values = kept, UpdatedAt = now }, ChangeOperation.Update);
    }

    private static bool SameValue(HandleValue a, HandleValue b) =>
        a.Index == b.Index && string.Equals(a.Type, b.Type, StringComparison.Ordinal) && a.Data.Equals(b.Data) && a.Ttl == b.Ttl &&
        a.Permissions == b.Permissions && a.References.SequenceEqual(b.References);

    private async ValueTask<UpsertResult> RefuseAsync(Caller caller, string identifier, Problem problem, CancellationToken cancellationToken)
    {
        if (problem.Kind == ErrorKind.Unavailable)
        {
            // An outage is not an item's fault: the whole call fails, and the client retries it (upserts are idempotent).
            throw new ResolverException(problem);
        }

        await audit.LogAsync(caller, "upsert", identifier, AuditTrail.StatusName(problem.Kind), cancellationToken).ConfigureAwait(false);
        return new UpsertResult(identifier, UpsertOutcome.Failed, 0, problem);
    }

    /// <summary>
    /// Every live record under <paramref name="prefix"/> (sub-prefixes included) after <paramref name="afterIdentifier"/>, in
    /// key order, with the values the caller may see; read from the store a page at a time, so memory stays flat.
    /// </summary>
    public async IAsyncEnumerable<HandleRecord> ExportAsync(
        Caller caller, string prefix, string? afterIdentifier, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAuthenticated(caller, "exporting the registry");
        if (!IdentifierParser.TryParsePrefix(prefix, out var canonical, out var error))
        {
            throw new ResolverException(error.ToProblem("prefix", prefix));
        }

        var afterKey = string.IsNullOrEmpty(afterIdentifier) ? null : Parse(afterIdentifier).Key;
        while (true)
        {
            var page = await store.ListAsync(canonical, afterKey, ExportPageSize, cancellationToken).ConfigureAwait(false);
            var table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
            var snapshot = await access.GetAsync(cancellationToken).ConfigureAwait(false);
            foreach (var record in page)
            {
                yield return record with { Values = AccessPolicy.Visible(caller, record, record.Values, table, snapshot) };
            }

            if (page.Count < ExportPageSize)
            {
                yield break;
            }

            afterKey = page[^1].Key;
        }
    }

    /// <summary>Records one store read of an export takes.</summary>
    public const int ExportPageSize = 500;

    private async ValueTask<HandleRecord> GetLiveAsync(Identifier id, long? expectedVersion, CancellationToken cancellationToken)
    {
        if (expectedVersion is < 1)
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, Reasons.InvalidValue, $"expected version {expectedVersion} is not a record version: versions start at 1"));
        }

        var current = await store.GetAsync(id.Key, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            throw Fail(ErrorKind.NotFound, Reasons.IdentifierNotFound, $"identifier {id} is not registered", id);
        }

        if (current.IsDeleted)
        {
            throw new ResolverException(new Problem(
                ErrorKind.NotFound, Reasons.IdentifierDeleted,
                $"identifier {current.Identifier} was deleted at {current.DeletedAt:yyyy-MM-ddTHH:mm:ssZ}",
                Prefix: id.Prefix, DeletedAt: current.DeletedAt));
        }

        if (expectedVersion is { } expected && expected != current.Version)
        {
            throw Fail(ErrorKind.Aborted, Reasons.VersionMismatch, $"identifier {current.Identifier} is at version {current.Version}, not the expected {expected}; read it again and retry", id);
        }

        return current;
    }

    private Task BackOffAsync(int attempt, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(50, 1 << Math.Min(attempt, 6));
        return Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, ceiling + 1)), time, cancellationToken);
    }

    // Microseconds: the finest precision every supported store keeps, so a record reads back as written.
    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMicrosecond));
    }

    private Identifier Parse(string identifier) =>
        parser.TryParse(identifier, out var id, out var error)
            ? id
            : throw new ResolverException(error.ToProblem("identifier", identifier));

    private async ValueTask<Identifier> ParseWritableAsync(Caller caller, string identifier, CancellationToken cancellationToken)
    {
        var id = Parse(identifier);
        var table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
        if (table.FindAuthority(id.Prefix) is not { Kind: PrefixKind.Homed })
        {
            // Handle's "server not responsible for handle".
            throw Fail(ErrorKind.FailedPrecondition, Reasons.PrefixNotHomed, $"this node is not responsible for prefix {id.Prefix}: home it first (resolver prefix home {id.Prefix}) or write at the node that homes it", id);
        }

        AccessPolicy.RequireWrite(caller, id.Prefix, table);
        return id;
    }

    private static ResolverException Contention(Identifier id) =>
        Fail(ErrorKind.Aborted, Reasons.WriteContention, $"identifier {id} kept changing under concurrent writes; retry", id);

    private static ResolverException Fail(ErrorKind kind, string reason, string message, Identifier id) =>
        new(new Problem(kind, reason, message, Prefix: id.Prefix));
}
