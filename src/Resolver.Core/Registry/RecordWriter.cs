using System.Diagnostics;
using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Security;
using Resolver.Core.Storage;

namespace Resolver.Core.Registry;

/// <summary>
/// The write path, top to bottom: parse → authorize → edit (read the current records, apply each request's rule) →
/// validate (<see cref="IRecordValidator"/>) → commit (a compare-and-set per record, with its change and audit rows, in
/// one store transaction) → publish (<see cref="IChangeNotifier"/>). Every write is a batch: a gRPC or JSON Create, Update
/// or Delete and a Handle REST PUT or DELETE are batches of one, a chunk of a BulkUpsert stream a batch of up to 500
/// records or 16 MiB; so they cannot disagree. A concurrent writer never overwrites another's change; a refused request is refused alone and
/// recorded in the audit log (SPEC §8). docs/architecture.md, "Writes".
/// </summary>
public sealed class RecordWriter(
    IdentifierParser parser,
    PrefixDirectory prefixes,
    IRecordStore store,
    ValueEditor editor,
    IEnumerable<IRecordValidator> validators,
    IChangeNotifier changes,
    AuditTrail audit,
    TimeProvider time,
    IValueDefaults? valueDefaults = null)
{
    // Without an expected version a lost compare-and-set is retried from a fresh read, after a short
    // random pause so that racing writers spread out; this many times before ABORTED.
    private const int WriteAttempts = 20;

    private readonly IRecordValidator[] _validators = [.. validators];

    /// <summary>
    /// Registers <paramref name="identifier"/>; a deleted one only with <paramref name="reuseDeleted"/>, continuing its
    /// version sequence. Returns the record as committed; throws the refusal (as <see cref="WriteAsync"/> answers it).
    /// </summary>
    public ValueTask<HandleRecord> CreateAsync(Caller caller, string identifier, IReadOnlyList<ValueDraft> values, bool reuseDeleted, CancellationToken cancellationToken) =>
        WriteOneAsync(caller, new CreateRequest(identifier, values, reuseDeleted), cancellationToken);

    /// <summary>
    /// Changes the values of a live record; with <paramref name="expectedVersion"/>, only if it still has that version
    /// (ABORTED <c>version-mismatch</c> otherwise). Returns the record as committed; throws the refusal.
    /// </summary>
    public ValueTask<HandleRecord> UpdateAsync(
        Caller caller,
        string identifier,
        IReadOnlyList<ValueDraft> values,
        IReadOnlyList<int> removeIndexes,
        long? expectedVersion,
        CancellationToken cancellationToken) =>
        WriteOneAsync(caller, new UpdateRequest(identifier, values, removeIndexes, expectedVersion), cancellationToken);

    /// <summary>Deletes a live record, leaving a tombstone; returns the tombstone; throws the refusal.</summary>
    public ValueTask<HandleRecord> DeleteAsync(Caller caller, string identifier, long? expectedVersion, CancellationToken cancellationToken) =>
        WriteOneAsync(caller, new DeleteRequest(identifier, expectedVersion), cancellationToken);

    /// <summary>
    /// Creates or replaces the records of <paramref name="items"/> (each its identifier's whole set of values): created,
    /// updated, unchanged (nothing written, the version stays; so a retried upsert does nothing twice) or failed, per item.
    /// </summary>
    /// <exception cref="ResolverException">UNAUTHENTICATED for a caller without credentials: the whole call, logged once
    /// in the audit log under the first identifier. UNAVAILABLE as <see cref="WriteAsync"/>.</exception>
    public async ValueTask<IReadOnlyList<WriteResult>> UpsertManyAsync(Caller caller, IReadOnlyList<UpsertItem> items, CancellationToken cancellationToken)
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

        return await WriteAsync(caller, items, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Carries out <paramref name="requests"/> for <paramref name="caller"/>, each checked as it would be alone (grammar,
    /// homed prefix, the caller's write permission, the value limits, the validators), the changes of an attempt committed
    /// in one store transaction. Answers each request at its place: created, updated, deleted, unchanged, or failed with its
    /// problem, which the audit log also records. An identifier given twice fails the second time.
    /// </summary>
    /// <exception cref="ResolverException">UNAVAILABLE when the store (or what a validator reads) cannot be reached: an
    /// outage is not a request's fault, so the whole call fails and the client retries it (upserts are idempotent).</exception>
    public async ValueTask<IReadOnlyList<WriteResult>> WriteAsync(Caller caller, IReadOnlyList<WriteRequest> requests, CancellationToken cancellationToken)
    {
        var results = new WriteResult?[requests.Count];
        var pending = new List<(int Slot, Identifier Id)>(requests.Count);
        PrefixTable? table = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var slot = 0; slot < requests.Count; slot++)
        {
            var request = requests[slot];
            try
            {
                // 1. Parse: the request's own shape, then the identifier's grammar; nothing to read yet.
                if (Malformed(request) is { } malformed)
                {
                    throw new ResolverException(malformed);
                }

                var id = RegistryChecks.Parse(parser, request.Identifier);

                // 2. Authorize: a prefix this node homes, and the caller's right to write under it.
                table ??= await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
                if (table.FindAuthority(id.Prefix) is not { Kind: PrefixKind.Homed })
                {
                    // Handle's "server not responsible for handle".
                    throw RegistryChecks.Fail(ErrorKind.FailedPrecondition, Reasons.PrefixNotHomed, $"this node is not responsible for prefix {id.Prefix}: home it first (resolver prefix home {id.Prefix}) or write at the node that homes it", id);
                }

                AccessPolicy.RequireWrite(caller, id.Prefix, table);
                if (!seen.Add(id.Key))
                {
                    throw RegistryChecks.Fail(ErrorKind.InvalidArgument, Reasons.InvalidValue, $"identifier {id} is given twice in one upsert; give each record once, with all its values", id);
                }

                pending.Add((slot, id));
            }
            catch (ResolverException refused) when (refused.Problem.Kind != ErrorKind.Unavailable)
            {
                results[slot] = await RefuseAsync(caller, request, refused.Problem, cancellationToken).ConfigureAwait(false);
            }
        }

        for (var attempt = 0; attempt < WriteAttempts && pending.Count > 0; attempt++)
        {
            // 3. Edit: the current records in one read, the permissions of values given none (IValueDefaults), and what
            // each request makes of its own.
            var currents = await store.GetManyAsync([.. pending.Select(p => p.Id.Key)], cancellationToken).ConfigureAwait(false);
            var defaults = await DefaultsAsync(caller, requests, pending, currents, cancellationToken).ConfigureAwait(false);
            var now = Now();
            var edits = new List<(int Slot, Identifier Id, RecordWrite Write, HandleRecord? Before)>(pending.Count);
            for (var p = 0; p < pending.Count; p++)
            {
                var (slot, id) = pending[p];
                try
                {
                    var (next, operation) = Edit(requests[slot], id, currents[p], now, defaults?[p]);
                    if (next is null)
                    {
                        results[slot] = new WriteResult(requests[slot].Identifier, WriteOutcome.Unchanged, currents[p], null);
                    }
                    else
                    {
                        edits.Add((slot, id, new RecordWrite(next, currents[p]?.Version, operation), currents[p]));
                    }
                }
                catch (ResolverException refused) when (refused.Problem.Kind != ErrorKind.Unavailable)
                {
                    results[slot] = await RefuseAsync(caller, requests[slot], refused.Problem, cancellationToken).ConfigureAwait(false);
                }
            }

            // 4. Validate: the extension point judges the records as they would be written.
            await ValidateAsync(caller, requests, edits, results, cancellationToken).ConfigureAwait(false);
            if (edits.Count == 0)
            {
                break;
            }

            // 5. Commit: every compare-and-set of the attempt, with its change and audit rows, in one transaction.
            var stored = await store.TryWriteManyAsync([.. edits.Select(e => e.Write)], caller.ToString(), cancellationToken).ConfigureAwait(false);
            pending.Clear();
            for (var e = 0; e < edits.Count; e++)
            {
                var (slot, id, write, _) = edits[e];
                if (stored[e])
                {
                    // 6. Publish: caches here and on every replica drop what the change made old.
                    await changes.RecordCommittedAsync(write.Record, cancellationToken).ConfigureAwait(false);
                    results[slot] = new WriteResult(requests[slot].Identifier, Written(write.Operation), write.Record, null);
                }
                else
                {
                    pending.Add((slot, id)); // another writer got there first: read it again and decide again
                }
            }

            if (pending.Count > 0)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var (slot, id) in pending.Where(p => results[p.Slot] is null))
        {
            var contention = RegistryChecks.Fail(ErrorKind.Aborted, Reasons.WriteContention, $"identifier {id} kept changing under concurrent writes; retry", id);
            results[slot] = await RefuseAsync(caller, requests[slot], contention.Problem, cancellationToken).ConfigureAwait(false);
        }

        return Array.ConvertAll(results, result => result ?? throw new UnreachableException("every request is answered"));
    }

    // Why a request cannot be carried out whatever its record holds; checked before its identifier.
    private static Problem? Malformed(WriteRequest request) => request switch
    {
        UpsertItem { Malformed: { } unreadable } => unreadable,
        UpdateRequest { Values.Count: 0, RemoveIndexes.Count: 0 } => new Problem(ErrorKind.InvalidArgument, Reasons.InvalidValue, "nothing to change: give values to add or replace, or indexes to remove"),
        _ => null,
    };

    // What the values without permissions get, per pending request (IValueDefaults): null when none is registered.
    private async ValueTask<IReadOnlyList<Func<string, ValuePermissions?>?>?> DefaultsAsync(
        Caller caller, IReadOnlyList<WriteRequest> requests, List<(int Slot, Identifier Id)> pending, IReadOnlyList<HandleRecord?> currents, CancellationToken cancellationToken)
    {
        if (valueDefaults is null)
        {
            return null;
        }

        var drafted = new DraftedRecord[pending.Count];
        for (var p = 0; p < pending.Count; p++)
        {
            // A create or an upsert starts the record afresh (an upsert replaces every value): what the record declared
            // before does not govern the new values. A deletion writes none.
            drafted[p] = requests[pending[p].Slot] switch
            {
                CreateRequest create => new DraftedRecord(create.Values, [], null),
                UpdateRequest update => new DraftedRecord(update.Values, update.RemoveIndexes, currents[p]),
                UpsertItem upsert => new DraftedRecord(upsert.Values, [], null),
                _ => new DraftedRecord([], [], null),
            };
        }

        return await valueDefaults.ForAsync(caller, drafted, cancellationToken).ConfigureAwait(false);
    }

    // The record `request` makes of `current` (null: none, ever) and the change log's name for it; Next is null when an
    // upsert finds the record exactly as asked. Throws the request's refusal.
    private (HandleRecord? Next, ChangeOperation Operation) Edit(WriteRequest request, Identifier id, HandleRecord? current, DateTimeOffset now, Func<string, ValuePermissions?>? defaults)
    {
        switch (request)
        {
            case CreateRequest create:
                Check(create.Precondition, current is { IsDeleted: false } ? current : null);
                if (current is { IsDeleted: false })
                {
                    throw RegistryChecks.Fail(ErrorKind.AlreadyExists, Reasons.IdentifierExists, $"identifier {current.Identifier} is already registered (version {current.Version}); use update to change it", id);
                }

                if (current is { IsDeleted: true } && !create.ReuseDeleted)
                {
                    throw RegistryChecks.Fail(ErrorKind.AlreadyExists, Reasons.ReuseRequired, $"identifier {current.Identifier} was deleted at {current.DeletedAt:yyyy-MM-ddTHH:mm:ssZ}; identifiers are not recycled silently: register it again with reuse (CLI: --reuse)", id);
                }

                var created = new HandleRecord(id.Key, id.Text, (current?.Version ?? 0) + 1, editor.Create(create.Values, now, defaults), now, now);
                editor.EnsureFitsAnAnswer(created.Identifier, created.Values);
                return (created, ChangeOperation.Create);

            case UpdateRequest update:
                var live = RegistryChecks.Live(id, current, update.ExpectedVersion);
                Check(update.Precondition, live);
                if (update.KeepExistingValues && live.Values.FirstOrDefault(v => update.Values.Any(d => d.Index == v.Index)) is { } taken)
                {
                    throw RegistryChecks.Fail(ErrorKind.AlreadyExists, Reasons.ValueExists, $"identifier {live.Identifier} already has a value at index {taken.Index}, and existing values are to be kept (overwrite=false)", id);
                }

                var updated = live with
                {
                    Version = live.Version + 1,
                    Values = editor.Update(live.Values, update.Values, update.RemoveIndexes, now, defaults),
                    UpdatedAt = now,
                };
                editor.EnsureFitsAnAnswer(updated.Identifier, updated.Values);
                return (updated, ChangeOperation.Update);

            case DeleteRequest delete:
                var doomed = RegistryChecks.Live(id, current, delete.ExpectedVersion);
                Check(delete.Precondition, doomed);
                return (doomed with { Version = doomed.Version + 1, Values = [], UpdatedAt = now, DeletedAt = now }, ChangeOperation.Delete);

            case UpsertItem upsert:
                return Upserted(id, current, upsert, now, defaults);

            default:
                throw new UnreachableException($"no rule for {request.GetType().Name}");
        }
    }

    private static void Check(WritePrecondition? precondition, HandleRecord? live)
    {
        if (precondition?.Invoke(live) is { } failed)
        {
            throw new ResolverException(failed);
        }
    }

    // The record an upsert makes of `current`, or null when it already has exactly these values.
    private (HandleRecord? Next, ChangeOperation Operation) Upserted(Identifier id, HandleRecord? current, UpsertItem item, DateTimeOffset now, Func<string, ValuePermissions?>? defaults)
    {
        if (current is { IsDeleted: true } && !item.ReuseDeleted)
        {
            throw RegistryChecks.Fail(ErrorKind.AlreadyExists, Reasons.ReuseRequired, $"identifier {current.Identifier} was deleted at {current.DeletedAt:yyyy-MM-ddTHH:mm:ssZ}; identifiers are not recycled silently: upsert it with reuse_deleted (CLI: import --reuse)", id);
        }

        var values = editor.Create(item.Values, now, defaults);
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

    // Each validator in turn sees the records still standing, deletions as their tombstones (a template may refuse to go);
    // a record one refuses leaves `edits` and is answered with its problem.
    private async ValueTask ValidateAsync(
        Caller caller, IReadOnlyList<WriteRequest> requests, List<(int Slot, Identifier Id, RecordWrite Write, HandleRecord? Before)> edits, WriteResult?[] results, CancellationToken cancellationToken)
    {
        foreach (var validator in _validators)
        {
            var judged = edits.ToList();
            if (judged.Count == 0)
            {
                return;
            }

            var problems = await validator.ValidateAsync(caller, [.. judged.Select(e => new RecordChange(e.Before, e.Write.Record))], cancellationToken).ConfigureAwait(false);
            if (problems.Count != judged.Count)
            {
                throw new InvalidOperationException($"{validator.GetType().Name} answered {problems.Count} times for {judged.Count} records; a validator answers once per record");
            }

            var refused = new HashSet<int>();
            for (var j = 0; j < judged.Count; j++)
            {
                if (problems[j] is { } problem)
                {
                    results[judged[j].Slot] = await RefuseAsync(caller, requests[judged[j].Slot], problem, cancellationToken).ConfigureAwait(false);
                    refused.Add(judged[j].Slot);
                }
            }

            edits.RemoveAll(e => refused.Contains(e.Slot));
        }
    }

    // A refused request is answered with its problem and logged in the audit log, under the operation it asked for
    // (committed writes are logged by the store, in their own transaction).
    private async ValueTask<WriteResult> RefuseAsync(Caller caller, WriteRequest request, Problem problem, CancellationToken cancellationToken)
    {
        if (problem.Kind == ErrorKind.Unavailable)
        {
            // An outage is not a request's fault: the whole call fails, and the client retries it (upserts are idempotent).
            throw new ResolverException(problem);
        }

        await audit.LogAsync(caller, AuditOperation(request), request.Identifier, AuditTrail.StatusName(problem.Kind), cancellationToken).ConfigureAwait(false);
        return new WriteResult(request.Identifier, WriteOutcome.Failed, null, problem);
    }

    private static string AuditOperation(WriteRequest request) => request switch
    {
        CreateRequest => "create",
        UpdateRequest => "update",
        DeleteRequest => "delete",
        UpsertItem => "upsert",
        _ => throw new UnreachableException($"no audit name for {request.GetType().Name}"),
    };

    private static WriteOutcome Written(ChangeOperation operation) => operation switch
    {
        ChangeOperation.Create => WriteOutcome.Created,
        ChangeOperation.Update => WriteOutcome.Updated,
        ChangeOperation.Delete => WriteOutcome.Deleted,
        _ => throw new UnreachableException($"no outcome for {operation}"),
    };

    // A single write is a batch of one whose refusal is thrown, as the gRPC and REST adapters expect.
    /// <summary>Carries out one request as a batch of one; returns the record as committed (a tombstone for a delete); throws the refusal.</summary>
    public async ValueTask<HandleRecord> WriteOneAsync(Caller caller, WriteRequest request, CancellationToken cancellationToken) =>
        (await WriteAsync(caller, [request], cancellationToken).ConfigureAwait(false))[0] switch
        {
            { Problem: { } problem } => throw new ResolverException(problem),
            { Record: { } written } => written,
            _ => throw new UnreachableException("a single write is never unchanged"),
        };

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
}
