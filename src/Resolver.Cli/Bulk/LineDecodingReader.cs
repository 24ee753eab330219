using System.Buffers;
using System.Text;

namespace Resolver.Cli.Bulk;

/// <summary>The text encodings <c>import</c> reads (<c>--encoding</c>).</summary>
internal enum InputEncoding
{
    /// <summary>UTF-8 unless the first line that is not ASCII is not UTF-8 but is GB18030; a UTF-8 byte-order mark means UTF-8.</summary>
    Auto,

    /// <summary>UTF-8, with or without a byte-order mark.</summary>
    Utf8,

    /// <summary>GB18030, which includes GBK and GB2312 (what Excel in zh-CN saves as "CSV").</summary>
    Gb18030,
}

/// <summary>
/// A text reader over a byte stream that decodes one line at a time, so that a line whose bytes are not text in the
/// file's encoding is reported by its number (<see cref="UndecodableThrough"/>) while the lines around it are still read.
/// Lines end at LF, CRLF or a lone CR; none of those bytes occurs inside a UTF-8 or GB18030 character, so lines can be
/// split before they are decoded. A bad line is decoded with replacement characters, so that its record fails alone.
/// </summary>
internal sealed class LineDecodingReader : TextReader
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
    private static readonly Encoding LenientUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: false);
    private static readonly Lazy<(Encoding Strict, Encoding Lenient)> Gb18030 = new(() =>
    {
        // GB18030 is not built into .NET (Core): it comes from the code-page provider of the shared framework.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return (Encoding.GetEncoding("GB18030", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback),
                Encoding.GetEncoding("GB18030", EncoderFallback.ReplacementFallback, DecoderFallback.ReplacementFallback));
    });

    private readonly Stream _stream;
    private readonly InputEncoding _choice;
    private readonly byte[] _buffer = new byte[1 << 16];
    private readonly ArrayBufferWriter<byte> _line = new(1 << 12);
    private readonly Queue<(long Line, string Reason)> _undecodable = new();
    private int _start;
    private int _end;
    private bool _endOfInput;
    private bool _sawCarriageReturn;
    private string _pending = "";
    private int _pendingAt;
    private long _lineNumber;
    private InputEncoding? _decided;
    private long _decidedAt;

    public LineDecodingReader(Stream stream, InputEncoding choice)
    {
        _stream = stream;
        _choice = choice;
        _decided = choice == InputEncoding.Auto ? null : choice;
    }

    /// <summary>The lines up to <paramref name="line"/> (inclusive) that were not text, each with why; each is returned once.</summary>
    public IReadOnlyList<(long Line, string Reason)> UndecodableThrough(long line)
    {
        if (_undecodable.Count == 0 || _undecodable.Peek().Line > line)
        {
            return [];
        }

        var found = new List<(long, string)>();
        while (_undecodable.TryPeek(out var next) && next.Line <= line)
        {
            found.Add(_undecodable.Dequeue());
        }

        return found;
    }

    public override int Peek() => HasPending() || NextLine() ? _pending[_pendingAt] : -1;

    public override int Read() => HasPending() || NextLine() ? _pending[_pendingAt++] : -1;

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer) => HasPending() || NextLine() ? Take(buffer) : 0;

    public override Task<int> ReadAsync(char[] buffer, int index, int count) => ReadAsync(buffer.AsMemory(index, count)).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) =>
        HasPending() || await NextLineAsync(cancellationToken).ConfigureAwait(false) ? Take(buffer.Span) : 0;

    public override string? ReadLine() => HasPending() || NextLine() ? TakeLine() : null;

    public override Task<string?> ReadLineAsync() => ReadLineAsync(CancellationToken.None).AsTask();

    public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        HasPending() || await NextLineAsync(cancellationToken).ConfigureAwait(false) ? TakeLine() : null;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stream.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool HasPending() => _pendingAt < _pending.Length;

    private int Take(Span<char> buffer)
    {
        var count = Math.Min(buffer.Length, _pending.Length - _pendingAt);
        _pending.AsSpan(_pendingAt, count).CopyTo(buffer);
        _pendingAt += count;
        return count;
    }

    private string TakeLine()
    {
        var rest = _pending[_pendingAt..].TrimEnd('\r', '\n'); // the line's own end; it holds no other CR or LF
        _pendingAt = _pending.Length;
        return rest;
    }

    private bool NextLine()
    {
        _line.ResetWrittenCount();
        while (!ScanLine())
        {
            _start = 0;
            _end = _stream.Read(_buffer);
            _endOfInput = _end == 0;
        }

        return DecodeLine();
    }

    private async ValueTask<bool> NextLineAsync(CancellationToken cancellationToken)
    {
        _line.ResetWrittenCount();
        while (!ScanLine())
        {
            _start = 0;
            _end = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            _endOfInput = _end == 0;
        }

        return DecodeLine();
    }

    // Moves the current line's bytes (with its end) from the buffer to _line; true when the line is complete, false
    // when the buffer is used up first.
    private bool ScanLine()
    {
        while (_start < _end)
        {
            if (_sawCarriageReturn)
            {
                _sawCarriageReturn = false;
                if (_buffer[_start] == '\n')
                {
                    _line.Write(_buffer.AsSpan(_start++, 1));
                }

                return true;
            }

            var unread = _buffer.AsSpan(_start, _end - _start);
            var end = unread.IndexOfAny((byte)'\r', (byte)'\n');
            var taken = end < 0 ? unread.Length : end + 1;
            _line.Write(unread[..taken]);
            _start += taken;
            if (end >= 0)
            {
                if (unread[end] == '\n')
                {
                    return true;
                }

                _sawCarriageReturn = true; // CRLF or a lone CR: the next byte says which
            }
        }

        return _endOfInput; // at the end of the input, what was collected is the last line (maybe without an end)
    }

    private bool DecodeLine()
    {
        var bytes = _line.WrittenSpan;
        if (bytes.IsEmpty)
        {
            return false;
        }

        _lineNumber++;
        _pendingAt = 0;
        if (_lineNumber == 1)
        {
            if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                bytes = bytes[3..]; // a UTF-8 byte-order mark says UTF-8, whatever --encoding says
                _decided = InputEncoding.Utf8;
            }
            else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            {
                throw new InvalidDataException("the file is UTF-16 (its byte-order mark says so): save it as \"CSV UTF-8\", or as CSV in GB18030/GBK");
            }
        }

        if (_decided is null)
        {
            if (System.Text.Ascii.IsValid(bytes))
            {
                _pending = StrictUtf8.GetString(bytes); // ASCII reads the same in both
                return true;
            }

            if (TryDecode(StrictUtf8, bytes, out _pending, out _))
            {
                (_decided, _decidedAt) = (InputEncoding.Utf8, _lineNumber);
                return true;
            }

            if (TryDecode(Gb18030.Value.Strict, bytes, out _pending, out _))
            {
                (_decided, _decidedAt) = (InputEncoding.Gb18030, _lineNumber);
                return true;
            }

            TryDecode(StrictUtf8, bytes, out _, out var utf8Problem);
            _undecodable.Enqueue((_lineNumber, $"the line is neither UTF-8 nor GB18030 text ({utf8Problem}); save the file as \"CSV UTF-8\""));
            _pending = LenientUtf8.GetString(bytes);
            return true;
        }

        var (strict, lenient, name) = _decided == InputEncoding.Utf8
            ? (StrictUtf8, LenientUtf8, "UTF-8")
            : (Gb18030.Value.Strict, Gb18030.Value.Lenient, "GB18030");
        if (TryDecode(strict, bytes, out _pending, out var problem))
        {
            return true;
        }

        var why = _choice != InputEncoding.Auto ? $"--encoding {(_decided == InputEncoding.Utf8 ? "utf-8" : "gb18030")}"
            : _decidedAt == 0 ? "its byte-order mark"
            : $"line {_decidedAt}";
        var other = _decided == InputEncoding.Utf8 ? "gb18030" : "utf-8";
        _undecodable.Enqueue((_lineNumber, $"the line is not {name} text ({problem}); the file is read as {name} because of {why}: give --encoding {other} if it is not, or save it as \"CSV UTF-8\""));
        _pending = lenient.GetString(bytes);
        return true;
    }

    private static bool TryDecode(Encoding encoding, ReadOnlySpan<byte> bytes, out string text, out string problem)
    {
        try
        {
            text = encoding.GetString(bytes);
            problem = "";
            return true;
        }
        catch (DecoderFallbackException exception)
        {
            text = "";
            var unknown = exception.BytesUnknown ?? [];
            problem = $"bytes {Convert.ToHexString(unknown)} at byte {exception.Index + 1}";
            return false;
        }
    }
}
