using System.Net.Sockets;

namespace Resolver.HandlePerf;

/// <summary>
/// One socket (a UDP socket, or a persistent TCP connection) with a window of requests in flight. Each request in flight
/// holds a slot; its request id carries the slot number in its low bits and a generation above them, so an answer finds
/// its slot at once and a late answer to a request already given up on (whose slot was reused) is told apart. Used by
/// one thread only.
/// </summary>
internal abstract class Flow
{
    private readonly EncodedRequests _requests;
    private readonly int[] _ids;
    private readonly long[] _sentAt;
    private readonly int[] _free;
    private readonly int _slotBits;
    private int _freeCount;
    private int _generation = 1;
    private ulong _random;

    protected Flow(Socket socket, EncodedRequests requests, int window, int seed)
    {
        Socket = socket;
        _requests = requests;
        _ids = new int[window];
        _sentAt = new long[window];
        _free = new int[window];
        for (var slot = 0; slot < window; slot++)
        {
            _free[_freeCount++] = window - 1 - slot;
        }

        while (1 << _slotBits < window)
        {
            _slotBits++;
        }

        _random = (ulong)seed * 0x9E3779B97F4A7C15UL | 1;
    }

    /// <summary>The socket; a TCP flow with a connection per request replaces it after each answer.</summary>
    public Socket Socket { get; protected set; }

    public FlowCounts Counts { get; } = new();

    /// <summary>Requests sent and neither answered nor given up on.</summary>
    public int Outstanding => _ids.Length - _freeCount;

    /// <summary>True once the flow cannot go on (the server closed the connection); its requests in flight are lost.</summary>
    public bool Closed { get; protected set; }

    protected int FreeSlots => _freeCount;

    protected int MaxRequestLength => _requests.MaxLength;

    /// <summary>Sends requests until the window is full.</summary>
    public abstract void Fill(long now);

    /// <summary>Reads what has arrived (the socket is readable) and counts the answers.</summary>
    public abstract void Receive(long now);

    /// <summary>Gives up on requests sent before <paramref name="before"/>: each counts as lost and frees its slot.</summary>
    public void Expire(long before)
    {
        for (var slot = 0; slot < _ids.Length; slot++)
        {
            if (_ids[slot] != 0 && _sentAt[slot] < before)
            {
                Counts.Lost++;
                Release(slot);
            }
        }
    }

    /// <summary>Takes a free slot for the next request and writes that request, with its id, into <paramref name="destination"/>; returns its length.</summary>
    protected int Next(long now, Span<byte> destination, out int slot)
    {
        slot = _free[--_freeCount];
        var id = ((_generation++ << _slotBits) | slot) & int.MaxValue;
        if (id == 0)
        {
            id = (_generation++ << _slotBits | slot) & int.MaxValue; // 0 marks a free slot
        }

        _ids[slot] = id;
        _sentAt[slot] = now;
        // xorshift64*: the key of each request, uniformly over the file, at the cost of a few instructions.
        _random ^= _random >> 12;
        _random ^= _random << 25;
        _random ^= _random >> 27;
        var key = (int)(((_random * 0x2545F4914F6CDD1DUL) >> 32) * (ulong)_requests.Count >> 32);
        return _requests.CopyTo(key, id, destination);
    }

    /// <summary>A request taken by <see cref="Next"/> that could not be sent: its slot is free again.</summary>
    protected void Unsend(int slot) => Release(slot);

    /// <summary>The slot of the request <paramref name="requestId"/>, or -1 when no request in flight has that id.</summary>
    protected int SlotOf(int requestId)
    {
        var slot = requestId & ((1 << _slotBits) - 1);
        return slot < _ids.Length && requestId != 0 && _ids[slot] == requestId ? slot : -1;
    }

    /// <summary>Counts the answer of <paramref name="slot"/> and frees it.</summary>
    protected void Answered(int slot, int code, long now)
    {
        Counts.Answer(code, now - _sentAt[slot]);
        Release(slot);
    }

    /// <summary>Gives up on every request in flight (the connection closed): each counts as lost.</summary>
    protected void LoseAll() => Expire(long.MaxValue);

    private void Release(int slot)
    {
        _ids[slot] = 0;
        _free[_freeCount++] = slot;
    }
}
