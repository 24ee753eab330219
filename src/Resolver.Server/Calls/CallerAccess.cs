using Grpc.Core;
using Resolver.Core.Security;

using Resolver.Server.Calls;

namespace Resolver.Server;

/// <summary>The admitted <see cref="AdmittedCall"/> of an HTTP request or gRPC call (<see cref="HttpCallAdmission"/> set it).</summary>
internal static class CallerAccess
{
    /// <summary>The call; throws when the endpoint is not a resolver call (a bug: only admitted endpoints read it).</summary>
    public static AdmittedCall GetCall(this HttpContext context) =>
        context.Features.Get<AdmittedCall>() ?? throw new InvalidOperationException($"{context.Request.Path} was not admitted as a resolver call");

    /// <summary>The gRPC call's <see cref="AdmittedCall"/>.</summary>
    public static AdmittedCall GetCall(this ServerCallContext context) => context.GetHttpContext().GetCall();

    /// <summary>Who is calling (a refused credential never gets this far).</summary>
    public static Caller GetCaller(this HttpContext context) => context.GetCall().Caller;

    /// <summary>Who is calling a gRPC method.</summary>
    public static Caller GetCaller(this ServerCallContext context) => context.GetHttpContext().GetCall().Caller;
}
