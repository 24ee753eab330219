using System.Runtime.CompilerServices;
using Google.Protobuf;
using Resolver.Core.Records;
using Proto = Resolver.Protocol.V1;

namespace Resolver.Server.Api;

/// <summary>
/// The answer message of each record L1 holds, and its protobuf encoding, built once per record instance: an L1 hit
/// answers with the very record L1 holds (<see cref="Core.Resolution.ResolveOutcome.HeldByL1"/>), so every later hit
/// finds its message here instead of copying the record field by field again, and from the record's second L1 hit on
/// <see cref="AnswerMarshallers"/> copies the message's encoding into the response instead of encoding the message again.
/// Keyed weakly by that instance, a message and its bytes live exactly as long as the cache entry that holds the record.
/// Any other record (read from Redis, the store or another site for this call, even one L1 keeps from now on, or a copy
/// with values hidden) gets a message of its own, built for that answer and encoded as it is sent: remembering it would
/// cost a table entry and a GC handle per answer for an object that dies with the call. Messages given out are shared and
/// must never be modified (protobuf lets one message sit under many parents).
/// </summary>
internal static class RecordAnswers
{
    private static readonly ConditionalWeakTable<HandleRecord, Proto.Record> Built = [];
    private static readonly ConditionalWeakTable<Proto.Record, byte[]> Encodings = [];

    /// <summary>
    /// The answer message of <paramref name="record"/>: <see cref="ProtoMapper.ToProto(HandleRecord)"/>, built once when the
    /// record is <paramref name="heldByL1"/>, built for this answer alone otherwise.
    /// </summary>
    public static Proto.Record Of(HandleRecord record, bool heldByL1) => heldByL1 ? Of(record) : ProtoMapper.ToProto(record);

    /// <summary>The answer message of <paramref name="record"/>, which L1 holds: <see cref="ProtoMapper.ToProto(HandleRecord)"/>, built once.</summary>
    public static Proto.Record Of(HandleRecord record)
    {
        if (!Built.TryGetValue(record, out var message))
        {
            return Built.GetValue(record, ProtoMapper.ToProto);
        }

        // Answered before, so held by something that lasts (L1): worth its encoding, made once.
        if (!Encodings.TryGetValue(message, out _))
        {
            Encodings.TryAdd(message, message.ToByteArray());
        }

        return message;
    }

    /// <summary>The answer message of <paramref name="record"/> if one was built, without building it.</summary>
    public static bool TryGet(HandleRecord record, out Proto.Record message) => Built.TryGetValue(record, out message!);

    /// <summary>The encoding of a message <see cref="Of(HandleRecord)"/> gave out a second time; false for any other message.</summary>
    public static bool TryGetEncoding(Proto.Record message, out byte[] encoding) => Encodings.TryGetValue(message, out encoding!);
}
