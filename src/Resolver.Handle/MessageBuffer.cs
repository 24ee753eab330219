using System.Buffers;

namespace Resolver.Handle;

/// <summary>
/// A growable buffer one message is written into, envelope first, then filled in once the lengths are known; its array
/// comes from the shared pool and goes back on <see cref="Dispose"/>, so a listener that reuses one per connection or per
/// datagram allocates nothing per message once warm.
/// </summary>
public sealed class MessageBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer;
    private int _written;

    /// <summary>A buffer of <paramref name="capacity"/> bytes to start with.</summary>
    public MessageBuffer(int capacity = 1024) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    /// <summary>Bytes written.</summary>
    public int Length => _written;

    /// <summary>The bytes written.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>The bytes written.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>Forgets what was written, keeping the array.</summary>
    public void Reset() => _written = 0;

    /// <inheritdoc/>
    public void Advance(int count) => _written += count;

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Bytes already written, for filling in a length once it is known.</summary>
    internal Span<byte> Written(int offset, int length) => _buffer.AsSpan(offset, length);

    /// <inheritdoc/>
    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _written = 0;
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
