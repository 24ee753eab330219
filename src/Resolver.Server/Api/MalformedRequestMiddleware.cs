using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.Options;
using Resolver.Server.Configuration;

namespace Resolver.Server.Api;

/// <summary>
/// grpc-dotnet deserializes a request before any interceptor runs and answers a malformed message
/// (garbage bytes, invalid UTF-8 in a string field) with UNKNOWN "Exception was thrown by handler.".
/// For unary calls this middleware parses the message first and answers INVALID_ARGUMENT naming the
/// expected message type; well-formed requests pass on untouched. It runs after routing and finds the method by
/// the endpoint routing matched, so a path spelled in another case is checked like the canonical one.
/// </summary>
internal sealed class MalformedRequestMiddleware(RequestDelegate next, IOptions<LimitOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (GrpcMethods.Routed(context) is not { } method ||
            !GrpcMethods.TryGet(method.FullName, out var requestType, out var unary) || !unary ||
            context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        // Read at most one frame of the largest allowed size; anything bigger is gRPC's to refuse (RESOURCE_EXHAUSTED).
        var limit = options.Value.MaxMessageBytes + 5;
        context.Request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: limit + 1);
        using var body = new MemoryStream();
        try
        {
            await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Over the buffer limit: let gRPC's own size check answer.
            context.Request.Body.Position = 0;
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Request.Body.Position = 0;
        if (Problem(body.GetBuffer().AsSpan(0, (int)body.Length), requestType) is { } problem)
        {
            ProblemMapping.WriteGrpcStatus(context.Response, global::Grpc.Core.StatusCode.InvalidArgument, problem);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static string? Problem(ReadOnlySpan<byte> frame, MessageDescriptor requestType)
    {
        if (frame.Length < 5 || frame[0] != 0)
        {
            return null; // empty, truncated or compressed: gRPC itself answers these
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(frame[1..5]);
        if (length != frame.Length - 5)
        {
            return null;
        }

        try
        {
            requestType.Parser.ParseFrom(frame[5..]);
            return null;
        }
        catch (InvalidProtocolBufferException exception)
        {
            return $"the request is not a valid {requestType.FullName} message ({exception.Message.TrimEnd('.')}); check the client's protobuf definitions";
        }
    }
}
