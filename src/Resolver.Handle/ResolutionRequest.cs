using System.Buffers;

namespace Resolver.Handle;

/// <summary>
/// The body of a resolution request (RFC 3652 §3.1): the handle, the indexes and the types asked for (empty lists: all
/// values). Bytes after the type list are ignored, as CNRI's server does: the national SDK <c>id-pointer-sdk</c> appends
/// a 4-byte empty "auth string" there.
/// </summary>
/// <param name="Handle">The handle as sent, decoded from UTF-8.</param>
/// <param name="Indexes">The value indexes asked for.</param>
/// <param name="Types">The value types asked for; a type ending in <c>.</c> asks for its subtypes too.</param>
public sealed record ResolutionRequest(string Handle, IReadOnlyList<int> Indexes, IReadOnlyList<string> Types)
{
    /// <summary>Reads a resolution request body.</summary>
    /// <exception cref="HandleProtocolException">The body ends early, a length does not fit, or a string is not UTF-8
    /// (<see cref="ResponseCode.InvalidHandle"/> for the handle, <see cref="ResponseCode.ProtocolError"/> otherwise).</exception>
    public static ResolutionRequest Read(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        string handle;
        try
        {
            handle = reader.ReadString("the handle", HandleProtocol.MaxHandleLength);
        }
        catch (HandleProtocolException exception)
        {
            throw new HandleProtocolException(ResponseCode.InvalidHandle, exception.Message);
        }

        var indexes = new int[reader.ReadCount("the index list", 4, HandleProtocol.MaxListLength)];
        for (var i = 0; i < indexes.Length; i++)
        {
            indexes[i] = reader.ReadInt32("the index list");
        }

        var types = new string[reader.ReadCount("the type list", 4, HandleProtocol.MaxListLength)];
        for (var i = 0; i < types.Length; i++)
        {
            types[i] = reader.ReadString("a type", 1024);
        }

        return new ResolutionRequest(handle, indexes, types);
    }

    /// <summary>Writes this request's body.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        var writer = new BodyWriter(output);
        writer.WriteString(Handle);
        writer.WriteInt32(Indexes.Count);
        foreach (var index in Indexes)
        {
            writer.WriteInt32(index);
        }

        writer.WriteInt32(Types.Count);
        foreach (var type in Types)
        {
            writer.WriteString(type);
        }
    }
}
