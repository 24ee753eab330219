using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace Resolver.Server.Tests;

/// <summary>Sends hand-made gRPC frames (bytes no real client would send) and reads the status back.</summary>
internal static class RawGrpc
{
    /// <summary>Posts one frame holding <paramref name="message"/> to <paramref name="method"/>; returns grpc-status and the decoded grpc-message.</summary>
    public static async Task<(string? Status, string Message)> PostAsync(HttpClient http, string address, string method, byte[] message, string? token, CancellationToken cancellationToken)
    {
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)message.Length);
        message.CopyTo(frame, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{address}{method}")
        {
            Content = new ByteArrayContent(frame),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("authorization", $"Bearer {token}");
        }

        using var response = await http.SendAsync(request, cancellationToken);
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        string? Find(string name) =>
            response.Headers.TryGetValues(name, out var values) ? values.First()
            : response.TrailingHeaders.TryGetValues(name, out var trailing) ? trailing.First() : null;
        return (Find("grpc-status"), Uri.UnescapeDataString(Find("grpc-message") ?? ""));
    }
}
