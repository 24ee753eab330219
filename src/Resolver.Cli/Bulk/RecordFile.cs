using System.Globalization;
using System.Runtime.CompilerServices;
using CsvHelper;
using CsvHelper.Configuration;
using Google.Protobuf;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Bulk;

/// <summary>The two file formats of <c>import</c> and <c>export</c> (docs/cli.md describes both precisely).</summary>
internal enum RecordFormat
{
    Csv,
    Jsonl,

    /// <summary>The secondary node's registration shape, a JSON object per line (<see cref="SnmsFile"/>).</summary>
    Snms,
}

/// <summary>One record read from a file, or why its lines could not be read.</summary>
/// <param name="Line">The record's first line in the file (1-based).</param>
/// <param name="Identifier">The identifier as the file spells it.</param>
/// <param name="Request">The record to upsert; null when a line of it was bad.</param>
/// <param name="Errors">Each bad line of the record: its number and why.</param>
internal sealed record ImportItem(long Line, string Identifier, UpsertRecordRequest? Request, IReadOnlyList<(long Line, string Reason)> Errors);

/// <summary>Reads and writes records in CSV and JSON Lines, one record at a time (never the whole file).</summary>
internal static class RecordFile
{
    /// <summary>The CSV header; ttl and permissions may be left out of it.</summary>
    public static readonly string[] CsvHeader = ["identifier", "index", "type", "data", "ttl", "permissions"];

    private static readonly JsonFormatter JsonWriter = new(JsonFormatter.Settings.Default);
    private static readonly JsonParser JsonReader = new(JsonParser.Settings.Default);

    /// <summary>The format a path's extension names: .csv, or .jsonl / .ndjson; null for anything else.</summary>
    public static RecordFormat? FromExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => RecordFormat.Csv,
        ".jsonl" or ".ndjson" => RecordFormat.Jsonl,
        _ => null,
    };

    /// <summary>The records of a file in <paramref name="format"/>; a bad line is reported in its record's item and reading goes on.</summary>
    /// <param name="reader">The file, a line at a time.</param>
    /// <param name="format">Its format.</param>
    /// <param name="template">For <see cref="RecordFormat.Snms"/>: the template its <c>templateVersion</c>s are versions of.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public static IAsyncEnumerable<ImportItem> ReadAsync(LineDecodingReader reader, RecordFormat format, string? template, CancellationToken cancellationToken) => format switch
    {
        RecordFormat.Csv => ReadCsvAsync(reader, cancellationToken),
        RecordFormat.Snms => SnmsFile.ReadAsync(reader, template, cancellationToken),
        _ => ReadJsonLinesAsync(reader, cancellationToken),
    };

    /// <summary>What export writes for one record: only what import reads back (no versions or times), so a round trip is byte-identical.</summary>
    public static Record Portable(Record record)
    {
        var portable = new Record { Identifier = record.Identifier };
        foreach (var value in record.Values)
        {
            var copy = value.Clone();
            copy.Timestamp = null;
            portable.Values.Add(copy);
        }

        return portable;
    }

    /// <summary>One JSON Lines line.</summary>
    public static string JsonLine(Record record) => JsonWriter.Format(Portable(record));

    /// <summary>Writes the CSV header.</summary>
    public static void WriteCsvHeader(CsvWriter csv)
    {
        foreach (var name in CsvHeader)
        {
            csv.WriteField(name);
        }

        csv.NextRecord();
    }

    /// <summary>Writes one record as CSV rows (one per value; one row with only the identifier for a record without values); returns why it cannot, or null.</summary>
    public static string? WriteCsv(CsvWriter csv, Record record)
    {
        if (record.Values.FirstOrDefault(v => v.Data?.KindCase != ValueData.KindOneofCase.Text || v.References.Count > 0) is { } unfit)
        {
            return $"value {unfit.Index} ({unfit.Type}) has binary data or references, which CSV does not carry: export with --format jsonl";
        }

        if (record.Values.Count == 0)
        {
            csv.WriteField(ToCell(record.Identifier));
            for (var i = 1; i < CsvHeader.Length; i++)
            {
                csv.WriteField("");
            }

            csv.NextRecord();
        }

        foreach (var value in record.Values)
        {
            csv.WriteField(ToCell(record.Identifier));
            csv.WriteField(value.Index.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(ToCell(value.Type));
            csv.WriteField(ToCell(value.Data.Text));
            csv.WriteField(value.HasTtl ? value.Ttl.ToString(CultureInfo.InvariantCulture) : "");
            csv.WriteField(value.Permissions is null ? "" : Output.Printer.PermissionBits(value.Permissions));
            csv.NextRecord();
        }

        return null;
    }

    /// <summary>
    /// A text as a CSV cell that spreadsheets show and never run as a formula (OWASP "CSV injection"): a text that starts
    /// with <c>= + - @</c>, a tab or a carriage return gets a leading <c>'</c>, and so does one that starts with <c>'</c>,
    /// so that <see cref="FromCell"/> can undo it exactly. (CsvHelper's own injection escaping is not undone on reading.)
    /// </summary>
    public static string ToCell(string text) => text.Length > 0 && IsEscaped(text[0]) ? "'" + text : text;

    /// <summary>A CSV cell's text: one leading <c>'</c> is dropped when a character <see cref="ToCell"/> escapes follows it.</summary>
    public static string FromCell(string cell) => cell.Length > 1 && cell[0] == '\'' && IsEscaped(cell[1]) ? cell[1..] : cell;

    private static bool IsEscaped(char first) => first is '=' or '+' or '-' or '@' or '\t' or '\r' or '\'';

    /// <summary>The mark that starts a CSV export, so that spreadsheets (Excel in zh-CN among them) read it as UTF-8.</summary>
    public const char ByteOrderMark = '\uFEFF';

    /// <summary>
    /// CSV settings for writing: RFC 4180 quoting, invariant culture, LF line ends. A field with a carriage return is
    /// quoted too: with LF chosen as the line end CsvHelper would write a lone CR bare, and readers take it for a line end.
    /// </summary>
    public static CsvConfiguration CsvSettings() => new(CultureInfo.InvariantCulture)
    {
        HasHeaderRecord = false,
        NewLine = "\n",
        ShouldQuote = args => ConfigurationFunctions.ShouldQuote(args) || args.Field?.Contains('\r', StringComparison.Ordinal) == true,
    };

    // Reading: any line end (CRLF, LF, CR) is recognised, blank lines skipped, quoting problems reported per row.
    private static CsvConfiguration CsvReadSettings(Action<string> badData) => new(CultureInfo.InvariantCulture)
    {
        HasHeaderRecord = false,
        IgnoreBlankLines = true,
        DetectColumnCountChanges = false,
        BadDataFound = args => badData(args.Field),
    };

    private static async IAsyncEnumerable<ImportItem> ReadCsvAsync(LineDecodingReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? badField = null;
        using var parser = new CsvParser(reader, CsvReadSettings(field => badField ??= field));
        Group? group = null;
        var header = true;
        while (await parser.ReadAsync().ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fields = parser.Record ?? [];
            var line = FirstLine(parser);
            var undecodable = reader.UndecodableThrough(parser.RawRow);
            if (fields.All(string.IsNullOrWhiteSpace) && badField is null)
            {
                continue; // a blank line (or one of only spaces)
            }

            if (header)
            {
                header = false;
                if (undecodable.Count > 0)
                {
                    throw new InvalidDataException($"line {undecodable[0].Line}: {undecodable[0].Reason}");
                }

                var names = fields.Select(f => f.Trim().TrimStart('\uFEFF').ToLowerInvariant()).ToArray();
                if (names.Length is < 4 or > 6 || !names.SequenceEqual(CsvHeader.Take(names.Length)))
                {
                    throw new InvalidDataException($"line {line}: the CSV header must be identifier,index,type,data[,ttl[,permissions]], not {string.Join(',', fields)}");
                }

                continue;
            }

            var identifier = fields.Length > 0 ? FromCell(fields[0].Trim()) : "";
            if (group is not null && group.Identifier != identifier)
            {
                yield return group.ToItem();
                group = null;
            }

            group ??= new Group(line, identifier);
            if (undecodable.Count > 0)
            {
                group.Errors.AddRange(undecodable);
                badField = null;
                continue;
            }

            if (badField is not null)
            {
                group.Errors.Add((line, $"malformed CSV near \"{Output.Printable.Of(badField, 60)}\" (a quote inside a field must be doubled, and the field quoted)"));
                badField = null;
                continue;
            }

            if (Value(fields, out var value) is { } reason)
            {
                group.Errors.Add((line, reason));
            }
            else if (value is not null)
            {
                group.Values.Add(value);
            }
        }

        if (header)
        {
            throw new InvalidDataException("the file is empty: a CSV import starts with the header identifier,index,type,data[,ttl,permissions]");
        }

        if (group is not null)
        {
            yield return group.ToItem();
        }
    }

    // The value of one CSV row (null for the row of a record without values), or why the row is bad.
    private static string? Value(string[] fields, out Value? value)
    {
        value = null;
        if (fields.Length is < 4 or > 6)
        {
            return $"expected 4 to 6 fields (identifier,index,type,data[,ttl,permissions]), found {fields.Length}";
        }

        if (fields[0].Trim().Length == 0)
        {
            return "the identifier is empty";
        }

        if (fields.Skip(1).All(f => f.Length == 0))
        {
            return null; // a record without values
        }

        value = new Value { Type = FromCell(fields[2]), Data = new ValueData { Text = FromCell(fields[3]) } };
        if (fields[1].Trim() is { Length: > 0 } index)
        {
            if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return $"index '{Output.Printable.Of(index, 20)}' is not a whole number of 0 or more";
            }

            value.Index = parsed;
        }

        if (fields.Length > 4 && fields[4].Trim() is { Length: > 0 } ttl)
        {
            if (!int.TryParse(ttl, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return $"ttl '{Output.Printable.Of(ttl, 20)}' is not a whole number of seconds";
            }

            value.Ttl = seconds;
        }

        if (fields.Length > 5 && fields[5].Trim() is { Length: > 0 } bits)
        {
            if (PermissionBits(bits) is not { } permissions)
            {
                return $"permissions '{Output.Printable.Of(bits, 20)}' are not four bits (admin read, admin write, public read, public write), e.g. 1110";
            }

            value.Permissions = permissions;
        }

        return null;
    }

    /// <summary>Handle's four permission bits as <c>Printer.PermissionBits</c> writes them (<c>1110</c>); null when <paramref name="bits"/> is not four 0/1 digits.</summary>
    public static Permissions? PermissionBits(string bits) =>
        bits.Length == 4 && bits.All(c => c is '0' or '1')
            ? new Permissions { AdminRead = bits[0] == '1', AdminWrite = bits[1] == '1', PublicRead = bits[2] == '1', PublicWrite = bits[3] == '1' }
            : null;

    // The line a record starts on: the parser counts lines read so far; the record's own line breaks are inside it.
    private static long FirstLine(CsvParser parser)
    {
        var raw = parser.RawRecord.AsSpan().TrimEnd("\r\n");
        var breaks = 0;
        foreach (var c in raw)
        {
            breaks += c == '\n' ? 1 : 0;
        }

        return parser.RawRow - breaks;
    }

    /// <summary>
    /// The items of a file of one JSON object per line: each non-blank line given to <paramref name="item"/> with its
    /// number (a leading byte-order mark dropped); a line that is not text in the file's encoding fails alone.
    /// </summary>
    public static async IAsyncEnumerable<ImportItem> ReadLinesAsync(LineDecodingReader reader, Func<long, string, ImportItem> item, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long line = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            line++;
            text = line == 1 ? text.TrimStart('\uFEFF') : text;
            if (reader.UndecodableThrough(line) is [var (_, undecodable), ..])
            {
                yield return new ImportItem(line, "", null, [(line, undecodable)]);
            }
            else if (!string.IsNullOrWhiteSpace(text))
            {
                yield return item(line, text);
            }
        }
    }

    private static IAsyncEnumerable<ImportItem> ReadJsonLinesAsync(LineDecodingReader reader, CancellationToken cancellationToken) =>
        ReadLinesAsync(reader, JsonLineItem, cancellationToken);

    private static ImportItem JsonLineItem(long line, string text)
    {
        var (record, error) = ParseJson(text);
        if (record is null)
        {
            return new ImportItem(line, "", null, [(line, $"not a record in export's JSON shape: {error}")]);
        }

        if (record.Identifier.Trim().Length == 0)
        {
            return new ImportItem(line, "", null, [(line, "the record has no identifier")]);
        }

        var request = new UpsertRecordRequest { Identifier = record.Identifier.Trim() };
        request.Values.AddRange(record.Values);
        return new ImportItem(line, request.Identifier, request, []);
    }

    private static (Record? Record, string? Error) ParseJson(string text)
    {
        try
        {
            return (JsonReader.Parse<Record>(text), null);
        }
        catch (Exception exception) when (exception is InvalidProtocolBufferException or InvalidJsonException or FormatException)
        {
            return (null, exception.Message.TrimEnd('.'));
        }
    }

    // The rows of one identifier, merged into one record.
    private sealed class Group(long line, string identifier)
    {
        public string Identifier => identifier;

        public List<Value> Values { get; } = [];

        public List<(long Line, string Reason)> Errors { get; } = [];

        public ImportItem ToItem()
        {
            if (Errors.Count > 0)
            {
                return new ImportItem(line, identifier, null, Errors);
            }

            var request = new UpsertRecordRequest { Identifier = identifier };
            request.Values.AddRange(Values);
            return new ImportItem(line, identifier, request, []);
        }
    }
}
