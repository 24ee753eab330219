using System.Buffers;
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

        // Look at the whole body without consuming it, so grpc-dotnet reads the same bytes from the same pipe afterwards (no
        // copy, no buffering stream). Past one frame of the largest allowed size it is gRPC's to refuse (RESOURCE_EXHAUSTED).
        var limit = options.Value.MaxMessageBytes + 5;
        // grpc-dotnet lifts Kestrel's request size limit for gRPC calls and bounds messages itself; reading first, so must we.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = null;
        }

        var reader = context.Request.BodyReader;
        var read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
        while (!read.IsCompleted && !read.IsCanceled && read.Buffer.Length <= limit)
        {
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
        }

        var problem = read.IsCompleted && read.Buffer.Length <= limit ? Problem(read.Buffer, requestType) : null;
        reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        if (problem is not null)
        {
            ProblemMapping.WriteGrpcStatus(context.Response, global::Grpc.Core.StatusCode.InvalidArgument, problem);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static string? Problem(ReadOnlySequence<byte> frame, MessageDescriptor requestType)
    {
        if (frame.Length < 5)
        {
            return null; // empty or truncated: gRPC itself answers these
        }

        Span<byte> header = stackalloc byte[5];
        frame.Slice(0, 5).CopyTo(header);
        if (header[0] != 0)
        {
            return null; // compressed: gRPC itself answers these
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length != frame.Length - 5)
        {
            return null;
        }

        try
        {
            requestType.Parser.ParseFrom(frame.Slice(5));
            return null;
        }
        catch (InvalidProtocolBufferException exception)
        {
            return $"the request is not a valid {requestType.FullName} message ({exception.Message.TrimEnd('.')}); check the client's protobuf definitions";
        }
    }
}
