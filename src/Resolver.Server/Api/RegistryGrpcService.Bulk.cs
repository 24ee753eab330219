using Grpc.Core;
using Resolver.Core.Registry;
using Resolver.Protocol.V1;

namespace Resolver.Server.Api;

/// <summary>The registry's streaming calls: bulk upsert, export and watch.</summary>
internal sealed partial class RegistryGrpcService
{
    /// <summary>
    /// Creates or replaces each streamed record, answering each in order. Requests are read ahead while a chunk is written,
    /// so the store and the network overlap; a chunk is whatever has arrived, up to 500 records or 16 MiB of request bytes
    /// (a larger record alone), so a client that waits for answers is never stalled, and one call holds at most 16 MiB read
    /// ahead plus 16 MiB being committed (or one record where a record is larger), whatever the record sizes
    /// (<see cref="BulkReadAhead"/>; docs/api.md, "Bulk work").
    /// </summary>
    public override async Task BulkUpsert(IAsyncStreamReader<UpsertRecordRequest> requestStream, IServerStreamWriter<UpsertRecordResult> responseStream, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var credential = context.GetCall().Credential;
        using var open = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, draining.StreamsMustEnd);

        // Nothing is read before a slot is free: a waiting import costs no memory (HTTP/2 flow control holds its client).
        using var slot = await EnterSlotAsync(open.Token, context.CancellationToken).ConfigureAwait(false);
        var buffer = BulkReadAhead.ForBulkUpsert();
        var reading = ReadAllAsync(requestStream, buffer, open.Token);
        try
        {
            var requests = new List<UpsertRecordRequest>(BulkReadAhead.ChunkRecords);
            var chunk = new List<UpsertItem>(BulkReadAhead.ChunkRecords);
            while (await buffer.TakeChunkAsync(requests, open.Token).ConfigureAwait(false))
            {
                chunk.Clear();
                chunk.AddRange(requests.Select(Item));
                requests.Clear();
                await recheck.EnsureStillValidAsync(credential, context.CancellationToken).ConfigureAwait(false);
                foreach (var result in await writer.UpsertManyAsync(caller, chunk, context.CancellationToken).ConfigureAwait(false))
                {
                    // The drain token too: a client that stops reading must not hold the node past its drain bound.
                    await responseStream.WriteAsync(ToProto(result), open.Token).ConfigureAwait(false);
                }
            }

            await reading.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (draining.StreamsMustEnd.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw Draining.ShuttingDown();
        }
        finally
        {
            await open.CancelAsync().ConfigureAwait(false);
            await reading.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    // A stream still waiting for its slot when the node drains is told so, as one that was running would be.
    private async ValueTask<IDisposable> EnterSlotAsync(CancellationToken open, CancellationToken call)
    {
        try
        {
            return await bulkSlots.EnterAsync(open).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (draining.StreamsMustEnd.IsCancellationRequested && !call.IsCancellationRequested)
        {
            throw Draining.ShuttingDown();
        }
    }

    public override async Task ExportRecords(ExportRecordsRequest request, IServerStreamWriter<Record> responseStream, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var credential = context.GetCall().Credential;
        using var open = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, draining.StreamsMustEnd);
        var sent = 0;
        try
        {
            await foreach (var record in reader.ExportAsync(caller, request.Prefix, request.AfterIdentifier, open.Token).ConfigureAwait(false))
            {
                // Once a page: the credential still holds (a revoked key stops an export within the recheck bound).
                if (sent++ % RecordReader.ExportPageSize == 0)
                {
                    await recheck.EnsureStillValidAsync(credential, context.CancellationToken).ConfigureAwait(false);
                }

                // The drain token too: a client that stops reading must not hold the node past its drain bound.
                await responseStream.WriteAsync(ProtoMapper.ToProto(record), open.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (draining.StreamsMustEnd.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw Draining.ShuttingDown();
        }
    }

    public override async Task Watch(WatchRequest request, IServerStreamWriter<ChangeEvent> responseStream, ServerCallContext context)
    {
        using var open = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, draining.StreamsMustEnd);
        try
        {
            await watch.RunAsync(context.GetCall().Credential, request, responseStream, () => context.WriteResponseHeadersAsync([]), open.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (draining.StreamsMustEnd.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw Draining.ShuttingDown();
        }
    }

    // Copies the request stream into the buffer; the buffer completes with the stream (or with the stream's failure).
    private static async Task ReadAllAsync(IAsyncStreamReader<UpsertRecordRequest> requests, BulkReadAhead buffer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var request in requests.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await buffer.AddAsync(request, cancellationToken).ConfigureAwait(false);
            }

            buffer.Complete();
        }
        catch (Exception exception)
        {
            buffer.Complete(exception);
        }
    }

    private static UpsertItem Item(UpsertRecordRequest request)
    {
        try
        {
            return new UpsertItem(request.Identifier, ProtoMapper.ToDrafts(request.Values), request.ReuseDeleted);
        }
        catch (Core.Errors.ResolverException malformed)
        {
            return new UpsertItem(request.Identifier, [], request.ReuseDeleted, malformed.Problem);
        }
    }

    private static UpsertRecordResult ToProto(WriteResult result)
    {
        var message = new UpsertRecordResult
        {
            Identifier = result.Identifier,
            Version = result.Version,
            Outcome = result.Outcome switch
            {
                WriteOutcome.Created => Protocol.V1.UpsertOutcome.Created,
                WriteOutcome.Updated => Protocol.V1.UpsertOutcome.Updated,
                WriteOutcome.Unchanged => Protocol.V1.UpsertOutcome.Unchanged,
                _ => Protocol.V1.UpsertOutcome.Failed,
            },
            Status = new ItemStatus(),
        };
        if (result.Problem is { } problem)
        {
            message.Status = new ItemStatus { Code = (int)problem.Kind, Message = problem.Message, Problem = ProtoMapper.ToProto(problem) };
        }

        return message;
    }
}
