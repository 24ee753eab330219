using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.Options;
using Resolver.Server.Configuration;

namespace Resolver.Server.Api;

/// <summary>
/// grpc-dotnet deserializes a request before any interceptor runs and answers a malformed message
/// (garbage bytes, invalid UTF-8 in a string field) with UNKNOWN "Exception was thrown by handler.".
/// For unary calls this middleware parses the message first and answers INVALID_ARGUMENT naming the
/// expected message type; well-formed requests pass on untouched.
/// </summary>
internal sealed class MalformedRequestMiddleware(RequestDelegate next, IOptions<ResolverServerOptions> options)
{
    private static readonly FrozenDictionary<string, MessageDescriptor> UnaryRequestTypes =
        new[] { Protocol.V1.ResolutionReflection.Descriptor, Protocol.V1.RegistryReflection.Descriptor, Protocol.V1.AdminReflection.Descriptor }
            .SelectMany(file => file.Services)
            .SelectMany(service => service.Methods)
            .Where(method => !method.IsClientStreaming && !method.IsServerStreaming)
            .ToFrozenDictionary(method => $"/{method.Service.FullName}/{method.Name}", method => method.InputType, StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!UnaryRequestTypes.TryGetValue(context.Request.Path.Value ?? "", out var requestType) ||
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
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "3";
            context.Response.Headers["grpc-message"] = PercentEncode(problem);
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

    // grpc-message is percent-encoded: bytes outside printable ASCII, and '%' itself.
    private static string PercentEncode(string message)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            builder.Append(b is >= 0x20 and <= 0x7E and not (byte)'%' ? ((char)b).ToString() : $"%{b:X2}");
        }

        return builder.ToString();
    }
}
