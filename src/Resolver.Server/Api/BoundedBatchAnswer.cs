using Google.Protobuf;
using Resolver.Core;
using Resolver.Core.Errors;
using Resolver.Core.Records;
using Resolver.Core.Resolution;
using Resolver.Protocol.V1;
using Problem = Resolver.Core.Errors.Problem;

namespace Resolver.Server.Api;

/// <summary>
/// Builds a BatchResolve answer no larger than the advertised message limit (SPEC §8: no request makes the server
/// build an answer past <c>max_message_bytes</c>). Records are answered in order while they fit, always keeping room
/// for a short refusal of every item still to come; a record that would not fit is answered RESOURCE_EXHAUSTED
/// naming the limit. A record's answer is built once (by <see cref="RecordAnswers"/> for a record L1 holds, here for one
/// read for this call), so 2,000 copies of one identifier cost one record in memory.
/// </summary>
internal static class BoundedBatchAnswer
{
    /// <summary>The answer to <paramref name="outcomes"/>, in order, at most <paramref name="maxMessageBytes"/> on the wire.</summary>
    public static BatchResolveResponse Build(IReadOnlyList<ResolveOutcome> outcomes, int maxMessageBytes)
    {
        // What each item costs at least: its refusal when it carries a record (sized, not built: most are never sent), else
        // its own small answer. Every refusal carries the same status, so one status message serves them all.
        var (_, refused, refusedSize) = _refusal is { } cached && cached.Limit == maxMessageBytes ? cached : _refusal = Refusal(maxMessageBytes);
        var failures = new ResolveResult?[outcomes.Count];
        var fallbackSizes = new int[outcomes.Count];
        long reserved = 0;
        for (var i = 0; i < outcomes.Count; i++)
        {
            if (outcomes[i].Record is null)
            {
                failures[i] = ProtoMapper.ToProto(outcomes[i]);
                fallbackSizes[i] = Framed(failures[i]!.CalculateSize());
            }
            else
            {
                fallbackSizes[i] = Framed(RefusalSize(outcomes[i].Identifier, refusedSize));
            }

            reserved += fallbackSizes[i];
        }

        if (reserved > maxMessageBytes)
        {
            throw new ResolverException(new Problem(ErrorKind.ResourceExhausted, Reasons.AnswerTooLarge,
                $"even without records the answer to this batch would exceed the {maxMessageBytes}-byte message limit (max_message_bytes); send fewer identifiers per batch"));
        }

        var response = new BatchResolveResponse();
        long size = 0;
        Dictionary<HandleRecord, Record>? builtHere = null; // by instance, for records L1 does not hold: duplicates share one message
        for (var i = 0; i < outcomes.Count; i++)
        {
            reserved -= fallbackSizes[i];
            var answer = failures[i];
            var answerSize = fallbackSizes[i];
            if (outcomes[i].Record is { } record)
            {
                // A record already answered (in this batch, or by L1 before) costs its exact size; a new one is checked
                // against its size bound before its answer is built, so a record that will not fit is never built at all.
                var heldByL1 = outcomes[i].HeldByL1;
                // (RecordAnswers.Of, not the message TryGet found: from a record's second answer on, Of keeps its encoding.)
                var message = heldByL1 && RecordAnswers.TryGet(record, out _) ? RecordAnswers.Of(record)
                    : builtHere?.GetValueOrDefault(record)
                    ?? (size + Framed(ResolverLimits.AnswerEnvelope + (int)Math.Min(RecordSize.UpperBound(record.Identifier, record.Values), int.MaxValue / 4)) + reserved <= maxMessageBytes
                        ? RecordAnswers.Of(record, heldByL1)
                        : null);
                if (message is not null && !heldByL1)
                {
                    (builtHere ??= new(ReferenceEqualityComparer.Instance)).TryAdd(record, message);
                }

                if (message is not null)
                {
                    var messageSize = RecordAnswers.TryGetEncoding(message, out var encoding) ? encoding.Length : message.CalculateSize();
                    var withRecord = new ResolveResult { Identifier = outcomes[i].Identifier, Stale = outcomes[i].Stale, Status = Ok };
                    ProtoMapper.AddTrace(withRecord, outcomes[i].Trace);
                    var withRecordSize = Framed(withRecord.CalculateSize() + 1 + CodedOutputStream.ComputeLengthSize(messageSize) + messageSize);
                    if (size + withRecordSize + reserved <= maxMessageBytes)
                    {
                        withRecord.Record = message;
                        (answer, answerSize) = (withRecord, withRecordSize);
                    }
                }

                answer ??= new ResolveResult { Identifier = outcomes[i].Identifier, Status = refused };
            }

            size += answerSize;
            response.Results.Add(answer);
        }

        return response;
    }

    // The status of an item answered OK; shared by every such item, never modified.
    private static readonly ItemStatus Ok = new();

    // A result inside the response: field tag, length, message.
    private static int Framed(int messageSize) => 1 + CodedOutputStream.ComputeLengthSize(messageSize) + messageSize;

    // The status of an item whose record did not fit, as ProtoMapper gives it, and its size: the same for every item of
    // every batch under one limit, so built once (shared, never modified, like Ok).
    private static Refused? _refusal;

    private sealed record Refused(int Limit, ItemStatus Status, int Size);

    private static Refused Refusal(int maxMessageBytes)
    {
        var status = ProtoMapper.ToProto(ResolveOutcome.Failed("", new Problem(
            ErrorKind.ResourceExhausted, Reasons.AnswerTooLarge,
            $"the answer to this batch would exceed the {maxMessageBytes}-byte message limit (max_message_bytes); resolve this identifier in a smaller batch or on its own"))).Status;
        return new Refused(maxMessageBytes, status, status.CalculateSize());
    }

    // The encoded size of a refusal of identifier: its identifier field (absent when empty, as proto3 omits it) and the status.
    private static int RefusalSize(string identifier, int statusSize) =>
        (identifier.Length == 0 ? 0 : 1 + CodedOutputStream.ComputeStringSize(identifier)) + 1 + CodedOutputStream.ComputeLengthSize(statusSize) + statusSize;
}
