using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Resolver.Core.Registry;
using Resolver.Protocol.V1;
using Resolver.Server.Security;

namespace Resolver.Server.Api;

/// <summary>The registry API: a thin adapter over <see cref="RecordWriter"/> (every write) and <see cref="RecordReader"/> (every read).</summary>
[BindServiceMethod(typeof(RegistryGrpcService), nameof(BindService))]
internal sealed partial class RegistryGrpcService(RecordWriter writer, RecordReader reader, CredentialRecheck recheck, Draining draining, ChangeWatch watch, BulkStreamSlots bulkSlots) : Protocol.V1.Registry.RegistryBase
{
    /// <summary>The contract's description of the service, which JSON transcoding and reflection read from the binding.</summary>
    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => Protocol.V1.Registry.Descriptor;

    /// <summary>The generated binding, with the node's own marshallers (<see cref="ResolverServiceBinder"/>).</summary>
    public static void BindService(ServiceBinderBase binder, Protocol.V1.Registry.RegistryBase service) =>
        Protocol.V1.Registry.BindService(new ResolverServiceBinder(binder, Descriptor), service);

    public override async Task<Record> CreateRecord(CreateRecordRequest request, ServerCallContext context) =>
        ProtoMapper.ToProto(await writer.CreateAsync(
            context.GetCaller(),
            request.Identifier, ProtoMapper.ToDrafts(request.Values), request.ReuseDeleted, context.CancellationToken).ConfigureAwait(false));

    public override async Task<Record> UpdateRecord(UpdateRecordRequest request, ServerCallContext context) =>
        ProtoMapper.ToProto(await writer.UpdateAsync(
            context.GetCaller(),
            request.Identifier,
            ProtoMapper.ToDrafts(request.Values),
            [.. request.RemoveIndexes],
            request.HasExpectedVersion ? request.ExpectedVersion : null,
            context.CancellationToken).ConfigureAwait(false));

    public override async Task<DeleteRecordResponse> DeleteRecord(DeleteRecordRequest request, ServerCallContext context)
    {
        var tombstone = await writer.DeleteAsync(
            context.GetCaller(),
            request.Identifier, request.HasExpectedVersion ? request.ExpectedVersion : null, context.CancellationToken).ConfigureAwait(false);
        return new DeleteRecordResponse
        {
            Identifier = tombstone.Identifier,
            Version = tombstone.Version,
            DeletedAt = Timestamp.FromDateTimeOffset(tombstone.DeletedAt!.Value),
        };
    }

    public override async Task<Record> GetRecord(GetRecordRequest request, ServerCallContext context) =>
        ProtoMapper.ToProto(await reader.GetAsync(context.GetCaller(), request.Identifier, context.CancellationToken).ConfigureAwait(false));

    public override async Task<ListRecordsResponse> ListRecords(ListRecordsRequest request, ServerCallContext context)
    {
        var (records, next) = await reader.ListAsync(context.GetCaller(), request.Prefix, request.PageSize, request.PageToken, context.CancellationToken).ConfigureAwait(false);
        var response = new ListRecordsResponse { NextPageToken = next ?? "" };
        response.Records.AddRange(records.Select(ProtoMapper.ToProto));
        return response;
    }
}
