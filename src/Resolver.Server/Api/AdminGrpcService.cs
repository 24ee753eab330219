using Grpc.Core;
using Resolver.Core.Prefixes;
using Resolver.Protocol.V1;

namespace Resolver.Server.Api;

/// <summary>The admin API: a thin adapter over <see cref="PrefixAdministration"/>.</summary>
internal sealed class AdminGrpcService(PrefixAdministration prefixes) : Protocol.V1.Admin.AdminBase
{
    public override async Task<HomePrefixResponse> HomePrefix(HomePrefixRequest request, ServerCallContext context)
    {
        var (entry, created) = await prefixes.HomeAsync(request.Prefix, context.CancellationToken).ConfigureAwait(false);
        return new HomePrefixResponse { Prefix = ProtoMapper.ToProto(entry), Created = created };
    }

    public override async Task<ListPrefixesResponse> ListPrefixes(ListPrefixesRequest request, ServerCallContext context)
    {
        var response = new ListPrefixesResponse();
        response.Prefixes.AddRange((await prefixes.ListAsync(context.CancellationToken).ConfigureAwait(false)).Select(ProtoMapper.ToProto));
        return response;
    }
}
