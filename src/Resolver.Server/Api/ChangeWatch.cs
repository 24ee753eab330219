using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Security;
using Resolver.Core.Storage;
using Resolver.Protocol.V1;
using Resolver.Server.Configuration;
using Resolver.Server.Security;
using Problem = Resolver.Core.Errors.Problem;

namespace Resolver.Server.Api;

/// <summary>
/// Registry.Watch: the changes under a prefix, first those after the subscriber's position (read from the durable change
/// log), then live ones as this replica's <see cref="ChangeFeed"/> reads them (so a write on any replica reaches watchers on
/// every replica). Each event carries the record's values the subscriber may read (the rules of resolution). A subscriber
/// further behind than <c>--watch-buffer</c> changes is cut off rather than buffered without bound.
/// </summary>
internal sealed class ChangeWatch(
    ChangeFeed feed,
    IChangeLog log,
    IRecordStore store,
    PrefixDirectory prefixes,
    AccessDirectory access,
    CredentialRecheck recheck,
    IOptions<ChangeLogOptions> options,
    TimeProvider time)
{
    /// <summary>Reason of the status that ends a subscription whose position the log no longer keeps.</summary>
    public const string ResyncNeeded = "resync-needed";

    /// <summary>Reason of the status that cuts off a subscriber that cannot keep up.</summary>
    public const string TooSlow = "watch-too-slow";

    /// <summary>How often an idle subscription checks its credential again (docs/security.md's bound for open calls).</summary>
    public static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(5);

    private const int PageSize = 500;

    /// <summary>Streams changes to <paramref name="responses"/> until the call ends; throws the status that ends it otherwise.</summary>
    public async Task RunAsync(Credential credential, WatchRequest request, IServerStreamWriter<ChangeEvent> responses, Func<Task> subscribed, CancellationToken cancellationToken)
    {
        var caller = credential.Caller;
        AccessPolicy.RequireAuthenticated(caller, "watching the registry");
        if (!IdentifierParser.TryParsePrefix(request.Prefix, out var prefix, out var error))
        {
            throw new ResolverException(error.ToProblem("prefix", request.Prefix));
        }

        if (request.HasAfter && request.After < 0)
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, Reasons.InvalidValue, $"after {request.After} is not a sequence number: give 0 or more (the last sequence received)"));
        }

        if (feed.Sequence < 0)
        {
            // The feed has not found the log's end yet (the node just started): find it now, so that nothing falls between catch-up and live.
            await feed.PollAsync(cancellationToken).ConfigureAwait(false);
        }

        var subscriber = new Subscriber(prefix, options.Value.WatchBuffer);
        using var subscription = feed.Subscribe(subscriber);
        var live = feed.Sequence;
        var position = request.HasAfter ? request.After : live;
        HashSet<long> caughtUp = [];
        if (request.HasAfter)
        {
            var pruned = await log.PrunedThroughAsync(cancellationToken).ConfigureAwait(false);
            if (request.After < pruned)
            {
                throw new ResolverException(new Problem(ErrorKind.OutOfRange, ResyncNeeded,
                    $"the change log no longer keeps the changes after {request.After} (pruned through {pruned}; --change-retention-hours is {options.Value.ChangeRetentionHours}): read the records again (resolver export {prefix}) and watch from now"));
            }

            await subscribed().ConfigureAwait(false);

            // Catch-up from the durable log; what the feed also hands over live afterwards is skipped once.
            IReadOnlyList<Change> page;
            do
            {
                page = await log.ReadAsync(position, long.MaxValue, PageSize, cancellationToken).ConfigureAwait(false);
                await SendAsync(caller, [.. page.Where(c => Subscriber.IsUnder(c.Key, prefix))], responses, cancellationToken).ConfigureAwait(false);
                foreach (var change in page.Where(c => c.Sequence > live))
                {
                    caughtUp.Add(change.Sequence);
                }

                position = page.Count > 0 ? page[^1].Sequence : position;
            }
            while (page.Count == PageSize);
        }
        else
        {
            // The response headers tell the subscriber that every change committed from now on will reach it.
            await subscribed().ConfigureAwait(false);
        }

        var batch = new List<Change>(PageSize);
        while (true)
        {
            await WaitAsync(subscriber.Changes.Reader, cancellationToken).ConfigureAwait(false);
            await recheck.EnsureStillValidAsync(credential, cancellationToken).ConfigureAwait(false);
            batch.Clear();
            while (batch.Count < PageSize && subscriber.Changes.Reader.TryRead(out var change))
            {
                if (!caughtUp.Remove(change.Sequence))
                {
                    batch.Add(change);
                }
            }

            if (batch.Count > 0)
            {
                await SendAsync(caller, batch, responses, cancellationToken).ConfigureAwait(false);
                position = Math.Max(position, batch.Max(c => c.Sequence));
            }
            else if (subscriber.Changes.Reader.Completion.IsCompleted)
            {
                throw new ResolverException(new Problem(ErrorKind.ResourceExhausted, TooSlow,
                    $"this subscriber fell more than {options.Value.WatchBuffer} changes behind (--watch-buffer) and was cut off: watch again with after = the last sequence received (resolver watch {prefix} --after SEQ)"));
            }
        }
    }

    // Until changes are waiting, the subscription was cut off, or RecheckEvery passed (the credential is checked again then).
    private async Task WaitAsync(ChannelReader<Change> changes, CancellationToken cancellationToken)
    {
        using var tick = new CancellationTokenSource(RecheckEvery, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, tick.Token);
        try
        {
            await changes.WaitToReadAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (tick.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Idle: recheck the credential and wait again.
        }
    }

    private async Task SendAsync(Caller caller, IReadOnlyList<Change> changes, IServerStreamWriter<ChangeEvent> responses, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }

        // One store read for the batch; values filtered per caller exactly as resolution filters them.
        var records = await store.GetManyAsync([.. changes.Select(c => c.Key)], cancellationToken).ConfigureAwait(false);
        var table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = await access.GetAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < changes.Count; i++)
        {
            var (change, record) = (changes[i], records[i]);
            var message = new ChangeEvent
            {
                Sequence = change.Sequence,
                Identifier = record?.Identifier ?? change.Key,
                Version = change.Version,
                At = Timestamp.FromDateTimeOffset(change.At),
                Kind = change.Operation switch
                {
                    ChangeOperation.Create => ChangeKind.Create,
                    ChangeOperation.Delete => ChangeKind.Delete,
                    _ => ChangeKind.Update,
                },
            };
            if (record is { IsDeleted: false } && record.Version == change.Version)
            {
                message.Record = ProtoMapper.ToProto(record with { Values = AccessPolicy.Visible(caller, record, record.Values, table, snapshot) });
            }

            await responses.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One subscription on the feed: the changes under its prefix, in a bounded buffer that closes when it overflows.</summary>
    private sealed class Subscriber(string prefix, int capacity) : IChangeSubscriber
    {
        public Channel<Change> Changes { get; } = Channel.CreateBounded<Change>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });

        public static bool IsUnder(string key, string prefix) =>
            key.StartsWith(prefix, StringComparison.Ordinal) && key.Length > prefix.Length && key[prefix.Length] is '/' or '.';

        // On the feed's loop: never blocks; a full buffer ends the subscription (the reader reports it once drained).
        public void OnChanges(IReadOnlyList<Change> changes)
        {
            foreach (var change in changes)
            {
                if (IsUnder(change.Key, prefix) && !Changes.Writer.TryWrite(change))
                {
                    Changes.Writer.TryComplete();
                    return;
                }
            }
        }
    }
}
