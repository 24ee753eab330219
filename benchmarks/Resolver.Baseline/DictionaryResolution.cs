using System.Collections.Frozen;
using Grpc.Core;
using Resolver.Protocol.V1;

namespace Resolver.Baseline;

/// <summary>
/// The Resolution service with nothing but a lookup: every answer is built once, before the first call, and a call
/// only finds it. No grammar, no authority, no caches, no filtering, no metrics, no authentication: what is left is the
/// cost of gRPC itself (HTTP/2, framing, protobuf), the ceiling any Resolver answer is compared against.
/// </summary>
internal sealed class DictionaryResolution(FrozenDictionary<string, ResolveResult> answers) : Protocol.V1.Resolution.ResolutionBase
{
    public override Task<ResolveResult> Resolve(ResolveRequest request, ServerCallContext context) =>
        answers.TryGetValue(request.Identifier, out var answer)
            ? Task.FromResult(answer)
            : throw new RpcException(new Status(StatusCode.NotFound, $"identifier {request.Identifier} is not in the dataset"));

    public override Task<BatchResolveResponse> BatchResolve(BatchResolveRequest request, ServerCallContext context)
    {
        var response = new BatchResolveResponse();
        foreach (var item in request.Requests)
        {
            response.Results.Add(answers.TryGetValue(item.Identifier, out var answer) ? answer : NotFound(item.Identifier));
        }

        return Task.FromResult(response);
    }

    public override async Task ResolveStream(IAsyncStreamReader<ResolveRequest> requestStream, IServerStreamWriter<ResolveResult> responseStream, ServerCallContext context)
    {
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(answers.TryGetValue(request.Identifier, out var answer) ? answer : NotFound(request.Identifier), context.CancellationToken);
        }
    }

    public override Task<ServerInfo> GetServerInfo(GetServerInfoRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerInfo { Version = "baseline", Limits = new Limits { MaxBatchSize = int.MaxValue } });

    private static ResolveResult NotFound(string identifier) =>
        new() { Identifier = identifier, Status = new ItemStatus { Code = (int)StatusCode.NotFound, Message = "not in the dataset" } };
}
