using Grpc.Core;
using Resolver.Core.Security;
using Resolver.Server.Security;

namespace Resolver.Server.Api;

/// <summary>The caller of a gRPC call, as ASP.NET Core authentication identified it (see <see cref="CallerClaims"/>).</summary>
internal static class GrpcCaller
{
    /// <summary>Who is calling; throws UNAUTHENTICATED for a credential that failed.</summary>
    public static Caller GetCaller(this ServerCallContext context) => context.GetHttpContext().GetCaller();
}
