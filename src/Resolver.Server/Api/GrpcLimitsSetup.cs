using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;
using Resolver.Server.Configuration;

namespace Resolver.Server.Api;

/// <summary>Applies the message-size setting to gRPC; larger requests get RESOURCE_EXHAUSTED from gRPC itself.</summary>
internal sealed class GrpcLimitsSetup(IOptions<LimitOptions> options) : IConfigureOptions<GrpcServiceOptions>
{
    public void Configure(GrpcServiceOptions grpc)
    {
        grpc.MaxReceiveMessageSize = options.Value.MaxMessageBytes;
        grpc.EnableDetailedErrors = false;
    }
}
