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
/// naming the limit. Identical answers (the same record with the same values) share one message, so 2,000 copies of
/// one identifier cost one record in memory.
/// </summary>
internal static class BoundedBatchAnswer
{
    /// <summary>The answer to <paramref name="outcomes"/>, in order, at most <paramref name="maxMessageBytes"/> on the wire.</summary>
    public static BatchResolveResponse Build(IReadOnlyList<ResolveOutcome> outcomes, int maxMessageBytes)
    {
        // What each item costs at least: its refusal when it carries a record, else its own (small) answer.
        var fallbacks = new ResolveResult[outcomes.Count];
        long reserved = 0;
        for (var i = 0; i < outcomes.Count; i++)
        {
            fallbacks[i] = outcomes[i].Record is null ? ProtoMapper.ToProto(outcomes[i]) : Refusal(outcomes[i].Identifier, maxMessageBytes);
            reserved += Framed(fallbacks[i].CalculateSize());
        }

        if (reserved > maxMessageBytes)
        {
            throw new ResolverException(new Problem(ErrorKind.ResourceExhausted, Reasons.AnswerTooLarge,
                $"even without records the answer to this batch would exceed the {maxMessageBytes}-byte message limit (max_message_bytes); send fewer identifiers per batch"));
        }

        var response = new BatchResolveResponse();
        // Identical answers (the same record with the same values) share one message: protobuf lets one message sit under many parents.
        var shared = new Dictionary<(string Identifier, long Version, object Values), (Record Message, int Size)>();
        long size = 0;
        for (var i = 0; i < outcomes.Count; i++)
        {
            var fallbackSize = Framed(fallbacks[i].CalculateSize());
            reserved -= fallbackSize;
            var answer = fallbacks[i];
            var answerSize = fallbackSize;
            if (outcomes[i].Record is { } record)
            {
                var withRecord = new ResolveResult { Identifier = outcomes[i].Identifier, Stale = outcomes[i].Stale, Status = new ItemStatus() };
                var key = (record.Identifier, record.Version, (object)record.Values);

                // A copy of an answer already built costs its exact size; a new one is checked against its size
                // bound before it is built, so a record that will not fit is never built at all.
                if (!shared.TryGetValue(key, out var built) &&
                    size + Framed(ResolverLimits.AnswerEnvelope + (int)Math.Min(RecordSize.UpperBound(record.Identifier, record.Values), int.MaxValue / 4)) + reserved <= maxMessageBytes)
                {
                    var message = RecordAnswers.Of(record);
                    built = (message, message.CalculateSize());
                    shared[key] = built;
                }

                if (built.Message is not null)
                {
                    var withRecordSize = Framed(withRecord.CalculateSize() + 1 + CodedOutputStream.ComputeLengthSize(built.Size) + built.Size);
                    if (size + withRecordSize + reserved <= maxMessageBytes)
                    {
                        withRecord.Record = built.Message;
                        (answer, answerSize) = (withRecord, withRecordSize);
                    }
                }
            }

            size += answerSize;
            response.Results.Add(answer);
        }

        return response;
    }

    // A result inside the response: field tag, length, message.
    private static int Framed(int messageSize) => 1 + CodedOutputStream.ComputeLengthSize(messageSize) + messageSize;

    private static ResolveResult Refusal(string identifier, int maxMessageBytes) =>
        ProtoMapper.ToProto(ResolveOutcome.Failed(identifier, new Problem(
            ErrorKind.ResourceExhausted, Reasons.AnswerTooLarge,
            $"the answer to this batch would exceed the {maxMessageBytes}-byte message limit (max_message_bytes); resolve this identifier in a smaller batch or on its own")));
}
