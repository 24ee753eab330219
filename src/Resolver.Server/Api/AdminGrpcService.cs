using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Resolver.Core.Prefixes;
using Resolver.Core.Security;
using Resolver.Protocol.V1;
using Resolver.Server.Security;
using ReadGrant = Resolver.Protocol.V1.ReadGrant;

namespace Resolver.Server.Api;

/// <summary>The admin API: a thin adapter over <see cref="PrefixAdministration"/> and <see cref="AccessAdministration"/>.</summary>
[BindServiceMethod(typeof(AdminGrpcService), nameof(BindService))]
internal sealed class AdminGrpcService(PrefixAdministration prefixes, AccessAdministration access, RefusedCredentialAudit refusals) : Protocol.V1.Admin.AdminBase
{
    /// <summary>The contract's description of the service, which JSON transcoding and reflection read from the binding.</summary>
    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => Protocol.V1.Admin.Descriptor;

    /// <summary>The generated binding, with the node's own marshallers (<see cref="ResolverServiceBinder"/>).</summary>
    public static void BindService(ServiceBinderBase binder, Protocol.V1.Admin.AdminBase service) =>
        Protocol.V1.Admin.BindService(new ResolverServiceBinder(binder, Descriptor), service);

    public override async Task<HomePrefixResponse> HomePrefix(HomePrefixRequest request, ServerCallContext context)
    {
        var (entry, created) = await prefixes.HomeAsync(context.GetCaller(), request.Prefix, context.CancellationToken).ConfigureAwait(false);
        return new HomePrefixResponse { Prefix = ProtoMapper.ToProto(entry), Created = created };
    }

    public override async Task<DelegatePrefixResponse> DelegatePrefix(DelegatePrefixRequest request, ServerCallContext context)
    {
        var ttl = request.Ttl == 0 ? PrefixEntry.DefaultTtl : request.Ttl;
        var (entry, created) = await prefixes.DelegateAsync(context.GetCaller(), request.Prefix, [.. request.Sites], ttl, context.CancellationToken).ConfigureAwait(false);
        return new DelegatePrefixResponse { Prefix = ProtoMapper.ToProto(entry), Created = created };
    }

    public override async Task<UndelegatePrefixResponse> UndelegatePrefix(UndelegatePrefixRequest request, ServerCallContext context) =>
        new() { Removed = await prefixes.UndelegateAsync(context.GetCaller(), request.Prefix, context.CancellationToken).ConfigureAwait(false) };

    public override async Task<ListPrefixesResponse> ListPrefixes(ListPrefixesRequest request, ServerCallContext context)
    {
        var response = new ListPrefixesResponse();
        response.Prefixes.AddRange((await prefixes.ListAsync(context.GetCaller(), context.CancellationToken).ConfigureAwait(false)).Select(ProtoMapper.ToProto));
        return response;
    }

    public override async Task<CreateEnterpriseResponse> CreateEnterprise(CreateEnterpriseRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var (enterprise, key, keyId) = await access.CreateEnterpriseAsync(caller, request.Name, string.IsNullOrEmpty(request.Prefix) ? null : request.Prefix, context.CancellationToken).ConfigureAwait(false);
        var info = new EnterpriseInfo { Name = enterprise.Name, CreatedAt = Timestamp.FromDateTimeOffset(enterprise.CreatedAt) };
        if (!string.IsNullOrEmpty(request.Prefix))
        {
            info.Prefixes.Add(request.Prefix.ToLowerInvariant());
        }

        return new CreateEnterpriseResponse { Enterprise = info, ApiKey = key, KeyId = keyId };
    }

    public override async Task<ListEnterprisesResponse> ListEnterprises(ListEnterprisesRequest request, ServerCallContext context)
    {
        var response = new ListEnterprisesResponse();
        foreach (var (enterprise, owned) in await access.ListEnterprisesAsync(context.GetCaller(), context.CancellationToken).ConfigureAwait(false))
        {
            var info = new EnterpriseInfo { Name = enterprise.Name, CreatedAt = Timestamp.FromDateTimeOffset(enterprise.CreatedAt) };
            info.Prefixes.AddRange(owned);
            response.Enterprises.Add(info);
        }

        return response;
    }

    public override async Task<CreateApiKeyResponse> CreateApiKey(CreateApiKeyRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var enterprise = EnterpriseOf(request.Enterprise, caller, "key create");
        var (key, keyId) = await access.CreateKeyAsync(caller, enterprise, context.CancellationToken).ConfigureAwait(false);
        return new CreateApiKeyResponse { Enterprise = AccessAdministration.CanonicalName(enterprise), ApiKey = key, KeyId = keyId };
    }

    public override async Task<RevokeApiKeyResponse> RevokeApiKey(RevokeApiKeyRequest request, ServerCallContext context)
    {
        await access.RevokeKeyAsync(context.GetCaller(), request.KeyId, context.CancellationToken).ConfigureAwait(false);
        return new RevokeApiKeyResponse { KeyId = request.KeyId };
    }

    public override async Task<ListApiKeysResponse> ListApiKeys(ListApiKeysRequest request, ServerCallContext context)
    {
        var listing = await access.ListKeysAsync(context.GetCaller(), EnterpriseOf(request.Enterprise, context.GetCaller(), "key list"), request.IncludeRevoked, request.BeforeKeyId, context.CancellationToken).ConfigureAwait(false);
        var response = new ListApiKeysResponse { More = listing.More };
        response.Keys.AddRange(listing.Keys.Select(key => new ApiKeyInfo
        {
            KeyId = key.Id,
            Enterprise = key.Enterprise,
            CreatedAt = Timestamp.FromDateTimeOffset(key.CreatedAt),
            RevokedAt = key.RevokedAt is { } revoked ? Timestamp.FromDateTimeOffset(revoked) : null,
        }));
        return response;
    }

    public override async Task<ReadGrant> GrantRead(GrantReadRequest request, ServerCallContext context) =>
        ToProto(await access.GrantAsync(context.GetCaller(), request.Grantee, request.Prefix, [.. request.Types_], context.CancellationToken).ConfigureAwait(false));

    public override async Task<RevokeReadResponse> RevokeRead(RevokeReadRequest request, ServerCallContext context)
    {
        await access.RevokeGrantAsync(context.GetCaller(), request.Grantee, request.Prefix, context.CancellationToken).ConfigureAwait(false);
        return new RevokeReadResponse();
    }

    public override async Task<ListGrantsResponse> ListGrants(ListGrantsRequest request, ServerCallContext context)
    {
        var response = new ListGrantsResponse();
        response.Grants.AddRange((await access.ListGrantsAsync(context.GetCaller(), context.CancellationToken).ConfigureAwait(false)).Select(ToProto));
        return response;
    }

    public override async Task<ListAuditResponse> ListAudit(ListAuditRequest request, ServerCallContext context)
    {
        // Refused credentials are counted in memory between flushes; the reader sees them all.
        if (context.GetCaller().IsAdmin)
        {
            await refusals.FlushAsync(context.CancellationToken).ConfigureAwait(false);
        }

        var entries = await access.ListAuditAsync(
            context.GetCaller(),
            request.BeforeSequence > 0 ? request.BeforeSequence : null,
            request.Limit > 0 ? request.Limit : 100,
            context.CancellationToken).ConfigureAwait(false);
        var response = new ListAuditResponse();
        foreach (var entry in entries)
        {
            var record = new AuditRecord
            {
                Sequence = entry.Sequence,
                At = Timestamp.FromDateTimeOffset(entry.At),
                Actor = entry.Actor,
                Operation = entry.Operation,
                Target = entry.Target,
                Outcome = entry.Outcome,
            };
            if (entry.VersionBefore is { } before)
            {
                record.VersionBefore = before;
            }

            if (entry.VersionAfter is { } after)
            {
                record.VersionAfter = after;
            }

            response.Entries.Add(record);
        }

        return response;
    }

    // An empty enterprise means the caller's own; the admin token belongs to none, so the administrator names one.
    private static string EnterpriseOf(string requested, Core.Security.Caller caller, string command)
    {
        var enterprise = string.IsNullOrEmpty(requested) && caller.Enterprise is { } own ? own : requested;
        if (string.IsNullOrEmpty(enterprise) && caller.IsAdmin)
        {
            throw new Core.Errors.ResolverException(new Core.Errors.Problem(Core.Errors.ErrorKind.InvalidArgument, "enterprise-required", $"name the enterprise (CLI: {command} --enterprise NAME): the admin token belongs to no enterprise"));
        }

        return enterprise;
    }

    private static ReadGrant ToProto(Core.Security.ReadGrant grant)
    {
        var message = new ReadGrant { Owner = grant.Owner, Grantee = grant.Grantee, Prefix = grant.Prefix, CreatedAt = Timestamp.FromDateTimeOffset(grant.CreatedAt) };
        message.Types_.AddRange(grant.Types);
        return message;
    }
}
