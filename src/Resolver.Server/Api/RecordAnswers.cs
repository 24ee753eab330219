using System.Runtime.CompilerServices;
using Resolver.Core.Records;
using Proto = Resolver.Protocol.V1;

namespace Resolver.Server.Api;

/// <summary>
/// The answer message of each record being answered, built once per record instance: an L1 hit answers with the very
/// record L1 holds (<see cref="Core.Resolution.ResolutionService"/> copies a record only to hide or shorten values), so
/// every later hit finds its message here instead of copying the record field by field again. Keyed weakly by that
/// instance, a message lives exactly as long as the cache entry, or the answer in flight, that holds the record.
/// Messages given out are shared and must never be modified (protobuf lets one message sit under many parents).
/// </summary>
internal static class RecordAnswers
{
    private static readonly ConditionalWeakTable<HandleRecord, Proto.Record> Built = [];

    /// <summary>The answer message of <paramref name="record"/>: <see cref="ProtoMapper.ToProto(HandleRecord)"/>, built once.</summary>
    public static Proto.Record Of(HandleRecord record) => Built.GetValue(record, ProtoMapper.ToProto);
}
