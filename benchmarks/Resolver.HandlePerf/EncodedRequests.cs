using System.Buffers.Binary;
using Resolver.Handle;

namespace Resolver.HandlePerf;

/// <summary>
/// One resolution request per identifier (all values, no flags), encoded once by <see cref="RequestWriter"/> into one
/// array, so that sending costs a copy: only the request id (envelope bytes 8–11) is written per send, as dnsperf writes
/// a DNS id. Requests are dated when encoded and valid for <see cref="RequestWriter.RequestLifetimeSeconds"/> (12 hours),
/// far longer than any run.
/// </summary>
internal sealed class EncodedRequests
{
    private readonly byte[] _bytes;
    private readonly int[] _offsets; // request i is _bytes[_offsets[i].._offsets[i + 1]]

    private EncodedRequests(byte[] bytes, int[] offsets)
    {
        _bytes = bytes;
        _offsets = offsets;
        for (var i = 0; i < Count; i++)
        {
            MaxLength = Math.Max(MaxLength, offsets[i + 1] - offsets[i]);
        }
    }

    /// <summary>How many requests (identifiers).</summary>
    public int Count => _offsets.Length - 1;

    /// <summary>The longest request in bytes.</summary>
    public int MaxLength { get; }

    /// <summary>Encodes a request for each of <paramref name="identifiers"/>.</summary>
    public static EncodedRequests Encode(IReadOnlyList<string> identifiers, DateTimeOffset now)
    {
        using var one = new MessageBuffer(512);
        using var all = new MemoryStream();
        var offsets = new int[identifiers.Count + 1];
        for (var i = 0; i < identifiers.Count; i++)
        {
            RequestWriter.Resolution(one, requestId: 0, new ResolutionRequest(identifiers[i], [], []), OpFlags.None, now);
            all.Write(one.WrittenSpan);
            offsets[i + 1] = (int)all.Length;
        }

        return new EncodedRequests(all.ToArray(), offsets);
    }

    /// <summary>Copies request <paramref name="index"/> into <paramref name="destination"/> with <paramref name="requestId"/>; returns its length.</summary>
    public int CopyTo(int index, int requestId, Span<byte> destination)
    {
        var request = _bytes.AsSpan(_offsets[index], _offsets[index + 1] - _offsets[index]);
        request.CopyTo(destination);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], requestId);
        return request.Length;
    }
}
